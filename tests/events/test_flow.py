"""End to end through the real Application and the sandbox: an officer's event, start to end."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from storage import audit, events
from storage.events import queries, ratings
from tests.events.conftest import EventHarness as Harness

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def run_jobs(bot: Harness) -> None:
    """What the JobQueue does every half minute."""
    await bot.run_jobs()


def card(bot: Harness, uid: int) -> str:
    """The text of the newest message with buttons (screens are edited in place)."""
    return next(m.text for m in reversed(bot.messages(uid)) if m.buttons)


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


async def _create_event(
    bot: Harness, officer: int, capacity: str | None = "2", *, photo: bool = False
) -> events.Event:
    """The officer goes through the wizard (clock: Monday 2 March 2026, 09:00)."""
    await bot.send(officer, "/officer")
    await bot.press(officer, "📅 活动")
    await bot.press(officer, "➕ 新建活动")
    await bot.send(officer, "羽毛球友谊赛")
    await bot.send(officer, "自带球拍，提供饮用水")
    await bot.press(officer, "⚽ 体育")
    await bot.send(officer, "3月5日 14:00")
    await bot.send(officer, "16:00")
    await bot.send(officer, "体育馆 2 号场")
    if capacity is None:
        await bot.press(officer, "不限名额")
    else:
        await bot.send(officer, capacity)
    await bot.press(officer, "提前 1 天")
    await bot.press_labelled(officer, "第一分工会")
    await bot.press(officer, "✔ 完成")
    assert "☑ 提前 1 天" in bot.labels(officer) and "☑ 提前 1 小时" in bot.labels(officer)
    await bot.press(officer, "✔ 完成")
    if photo:
        await bot.photo(officer)
    else:
        await bot.press(officer, "跳过")
    preview = bot.screen(officer).text
    assert "预览" in preview and "2026年3月5日 14:00–16:00" in preview
    assert "公司工会 / 第一分工会" in preview
    await bot.press(officer, "📣 发布")
    found = await queries.in_scope(bot.db, [*range(1, 10)], bot.clock.time())
    assert len(found) == 1
    return found[0]


async def test_two_seats_three_members_waitlist_reminders_checkin_feedback(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(1, "干部老王", t["branch1"], role="officer")
    await bot.member(11, "张三", t["group1"])
    await bot.member(12, "李四", t["group1"])
    await bot.member(13, "王五", t["branch1"])
    await bot.member(21, "外单位", t["branch2"])
    event = await _create_event(bot, 1)
    assert event.starts_at == _at("2026-03-05T14:00")
    assert event.signup_deadline == _at("2026-03-04T14:00")
    assert any("4 位会员" in text for text in bot.texts(1))  # the officer is in the branch too
    assert not any("新活动" in m.text for m in bot.messages(21))  # other branch: not told

    # Three members sign up from the announcement: two seats, then the waitlist.
    for uid in (11, 12, 13):
        assert "新活动" in bot.screen(uid).text and "羽毛球友谊赛" in bot.screen(uid).text
        await bot.press(uid, "✅ 报名")
    assert "报名成功" in bot.texts(11)[-2]
    calendar = bot.core.documents_for(11)[-1]
    assert calendar.file_name == f"event-{event.id}.ics"
    parsed = Calendar.from_ical(calendar.content)
    start = next(iter(parsed.walk("VEVENT"))).decoded("DTSTART")
    assert start == datetime(2026, 3, 5, 14, 0, tzinfo=SHANGHAI)
    assert "候补，排第 1 位" in bot.screen(13).text

    # The first cancels: the third is offered the seat, confirms, and gets the file.
    await bot.press(11, "✖ 取消报名")
    await bot.press(11, "✖ 确定取消")
    assert "您的报名已取消" in card(bot, 11)
    offer = bot.screen(13)
    assert "有名额空出来了" in offer.text and "2026年3月2日 21:00" in offer.text  # 12 hours
    await bot.press(13, "✅ 确认参加")
    assert "报名成功" in bot.texts(13)[-2]
    assert bot.core.documents_for(13)
    seats = await queries.seats(bot.db, event.id)
    assert (seats.confirmed, seats.offered, seats.waitlisted) == (2, 0, 0)

    # Reminders: nothing early, then 24 hours and 1 hour before, only to those signed up.
    bot.clock.set(datetime(2026, 3, 4, 13, 59, tzinfo=SHANGHAI))
    await run_jobs(bot)
    assert not any("活动提醒" in text for text in bot.texts(12))
    bot.clock.set(datetime(2026, 3, 4, 14, 0, tzinfo=SHANGHAI))
    await run_jobs(bot)
    await run_jobs(bot)  # a second wake-up sends nothing again
    for uid in (12, 13):
        reminders = [text for text in bot.texts(uid) if "活动提醒" in text]
        assert len(reminders) == 1 and "体育馆 2 号场" in reminders[0]
    assert not any("活动提醒" in text for text in bot.texts(11))
    bot.clock.set(datetime(2026, 3, 5, 13, 0, tzinfo=SHANGHAI))
    await run_jobs(bot)
    assert sum("活动提醒" in text for text in bot.texts(12)) == 2
    assert "请告知活动组织者" in bot.screen(12).text  # past the deadline: no cancel button

    # Check-in: the officer shows the code; a wrong code and a scan of the QR link.
    bot.clock.set(datetime(2026, 3, 5, 13, 45, tzinfo=SHANGHAI))
    await bot.send(1, "/officer")
    await bot.press(1, "📅 活动")
    await bot.press_labelled(1, "羽毛球友谊赛")
    await bot.press(1, "📍 签到码")
    code_msg = bot.screen(1)
    assert code_msg.kind == "photo" and event.checkin_code in code_msg.text
    wrong = await bot.send(12, "/checkin ZZZZZZ")
    assert "签到码无效" in wrong[-1].text
    ok = await bot.send(12, f"/checkin {event.checkin_code.lower()}")
    assert "签到成功" in ok[-1].text
    scanned = await bot.send(13, f"/start ci_{event.checkin_code}")
    assert "签到成功" in scanned[-1].text
    outsider = await bot.send(11, f"/start ci_{event.checkin_code}")
    assert "没有报名" in outsider[-1].text

    # After the end the attendees are asked for feedback; the officer sees the result.
    bot.clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=SHANGHAI))
    await run_jobs(bot)
    assert "怎么样" in bot.screen(12).text
    await bot.press(12, "5")
    await bot.send(12, "场地很好，希望多办")
    assert "感谢您的反馈" in bot.screen(12).text
    await bot.press(13, "4")
    await bot.press(13, "跳过")
    assert not any("怎么样" in text for text in bot.texts(11))
    summary = await ratings.feedback_summary(bot.db, event.id)
    assert (summary.count, summary.mean, summary.comments) == (2, 4.5, ["场地很好，希望多办"])
    await bot.send(1, "/officer")
    await bot.press(1, "📅 活动")
    await bot.press(1, "🕘 往期活动")
    await bot.press_labelled(1, "羽毛球友谊赛")
    await bot.press(1, "⭐ 活动反馈")
    assert "平均 4.5 分" in bot.screen(1).text and "场地很好" in bot.screen(1).text
    actions = [e.action for e in await audit.recent(bot.db)]
    assert "event_create" in actions


async def test_a_photo_announcement_signs_up_from_the_photo(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(1, "干部老王", t["branch1"], role="officer")
    await bot.member(11, "张三", t["group1"])
    event = await _create_event(bot, 1, None, photo=True)
    assert event.photo_file_id and event.capacity is None
    notice = bot.screen(11)
    assert notice.kind == "photo" and "羽毛球友谊赛" in notice.text
    await bot.press(11, "✅ 报名", notice.message_id)
    assert bot.core.message(11, notice.message_id) is not None
    assert bot.core.message(11, notice.message_id).kind == "photo"  # type: ignore[union-attr]
    assert any("✅ 您已报名" in text and "不限名额" in text for text in bot.texts(11))
    assert (await queries.seats(bot.db, event.id)).confirmed == 1
