"""Officers edit, cancel, add and remove by hand, export; offers lapse; rows survive restarts."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
from icalendar import Calendar

from storage import audit, events, members
from storage.events import queries
from tests.events.conftest import EventHarness
from tests.events.helpers import draft, publish

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 86400.0
HOUR = 3600.0


async def _setup(bot: EventHarness, capacity: int = 2) -> tuple[dict[str, int], int]:
    t = await bot.tree()
    officer = await bot.member(1, "干部", t["company"], role="officer")
    for uid, name in ((11, "张三"), (12, "李四"), (13, "王五")):
        await bot.member(uid, name, t["group1"])
    start = datetime(2026, 3, 10, 14, tzinfo=SHANGHAI).timestamp()
    new = draft(
        bot.clock, (t["branch1"],), title="职工培训", description="安全生产",
        category="training", starts_at=start, ends_at=start + 2 * HOUR, place="三楼会议室",
        capacity=capacity, signup_deadline=start - HOUR,
    )  # fmt: skip
    event = await publish(bot.db, new, bot.clock.time(), officer.id)
    for uid in (11, 12, 13):
        await bot.send(uid, "/events")
        await bot.press_labelled(uid, "职工培训")
        await bot.press_labelled(uid, "报名" if uid != 13 else "候补")
    return t, event.id


async def _manage(bot: EventHarness) -> None:
    await bot.send(1, "/officer")
    await bot.press(1, "📅 活动")
    await bot.press_labelled(1, "职工培训")


async def test_moving_the_event_tells_everyone_and_reminders_follow(bot: EventHarness) -> None:
    _, event_id = await _setup(bot)
    await _manage(bot)
    await bot.press(1, "🕒 修改时间")
    await bot.send(1, "2026-03-12 09:00")
    await bot.send(1, "11:30")
    assert "时间已更改" in bot.screen(1).text
    moved = await queries.get(bot.db, event_id)
    assert moved is not None and moved.sequence == 1
    assert moved.starts_at == datetime(2026, 3, 12, 9, tzinfo=SHANGHAI).timestamp()
    assert moved.signup_deadline == datetime(2026, 3, 10, 13, tzinfo=SHANGHAI).timestamp()
    for uid in (11, 12, 13):
        assert any(
            "调整了时间" in text and "2026年3月12日 09:00–11:30" in text for text in bot.texts(uid)
        )
    # The confirmed get a new calendar file with the same UID and a higher SEQUENCE.
    files = bot.core.documents_for(11)
    latest = next(iter(Calendar.from_ical(files[-1].content).walk("VEVENT")))
    first = next(iter(Calendar.from_ical(files[0].content).walk("VEVENT")))
    assert latest["UID"] == first["UID"] and int(latest["SEQUENCE"]) == 1
    assert not any(
        d.file_name and d.file_name.endswith(".ics") for d in bot.core.documents_for(13)
    )  # waiting: no calendar entry
    # The old day-before reminder time passes silently; the new one fires, after a redeploy.
    await bot.restart()
    bot.clock.set(datetime(2026, 3, 9, 14, tzinfo=SHANGHAI))
    await bot.run_jobs()
    assert not any("活动提醒" in text for text in bot.texts(11))
    bot.clock.set(datetime(2026, 3, 11, 9, tzinfo=SHANGHAI))
    await bot.run_jobs()
    await bot.run_jobs()
    assert sum("活动提醒" in text for text in bot.texts(11)) == 1
    assert not any("活动提醒" in text for text in bot.texts(13))


async def test_changing_the_place(bot: EventHarness) -> None:
    _, event_id = await _setup(bot)
    await _manage(bot)
    await bot.press(1, "📍 修改地点")
    await bot.send(1, "五楼大礼堂")
    moved = await queries.get(bot.db, event_id)
    assert moved is not None and moved.place == "五楼大礼堂"
    assert any("更换了地点" in text and "五楼大礼堂" in text for text in bot.texts(12))
    assert "event_place" in [e.action for e in await audit.recent(bot.db)]


async def test_cancelling_tells_everyone_and_no_reminder_fires_afterwards(
    bot: EventHarness,
) -> None:
    _, event_id = await _setup(bot)
    await _manage(bot)
    await bot.press(1, "❌ 取消活动")
    await bot.press(1, "❌ 确定取消活动")
    assert "已通知 3 人" in bot.screen(1).text
    for uid in (11, 12, 13):
        assert any("活动取消" in text for text in bot.texts(uid))
    cancel_file = bot.core.documents_for(11)[-1]
    assert Calendar.from_ical(cancel_file.content)["METHOD"] == "CANCEL"
    for moment in ("2026-03-09T14:00", "2026-03-10T13:00", "2026-03-10T17:00"):
        bot.clock.set(datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI))
        await bot.run_jobs()
    for uid in (11, 12, 13):
        assert not any("活动提醒" in text or "怎么样" in text for text in bot.texts(uid))
    answer = await bot.press_data(13, f"ev:join:{event_id}")
    assert "已取消" in answer


async def test_an_unconfirmed_offer_passes_on_and_survives_a_restart(bot: EventHarness) -> None:
    t, event_id = await _setup(bot)
    await bot.member(14, "赵六", t["group1"])
    await bot.send(14, "/events")
    await bot.press_labelled(14, "职工培训")
    await bot.press_labelled(14, "候补")
    await bot.press_labelled(11, "取消报名")
    await bot.press(11, "✖ 确定取消")
    assert "有名额空出来了" in bot.screen(13).text
    await bot.restart()
    bot.clock.advance(12 * HOUR - 60)
    await bot.run_jobs()
    assert "有名额空出来了" not in bot.screen(14).text
    bot.clock.advance(60)
    await bot.run_jobs()
    assert any("未在规定时间内确认" in text for text in bot.texts(13))
    assert "有名额空出来了" in bot.screen(14).text
    answer = await bot.press_data(13, f"ev:ok:{event_id}")
    assert "没有为您保留的名额" in answer
    await bot.press(14, "✅ 确认参加")
    rows = {s.member_id: s.status for s in await queries.signups(bot.db, event_id, events.ACTIVE)}
    assert sorted(rows.values()) == ["confirmed", "confirmed"]


async def test_officer_adds_over_capacity_removes_and_exports(bot: EventHarness) -> None:
    t, event_id = await _setup(bot)
    await bot.member(15, "孙七", t["group1"])
    await _manage(bot)
    await bot.press(1, "👥 报名名单")
    roster = bot.screen(1).text
    assert "1. 张三" in roster and "2. 李四" in roster and "候补" in roster
    await bot.press(1, "➕ 添加会员")
    await bot.send(1, "孙")
    await bot.press_labelled(1, "孙七")
    assert "名额已满" in bot.screen(1).text
    await bot.press(1, "➕ 仍然添加")
    assert any("组织者已为您报名" in text for text in bot.texts(15))
    seats = await queries.seats(bot.db, event_id)
    assert (seats.confirmed, seats.waitlisted) == (3, 1)
    # Removing two brings the count below capacity: the waiting member moves up.
    await bot.press(1, "👥 报名名单")
    for name in ("张三", "李四"):
        await bot.press(1, "➖ 移除会员")
        await bot.press_labelled(1, f"✖ {name}")
        await bot.press(1, "✖ 确定移除")
    assert any("组织者已将您从" in text for text in bot.texts(11))
    assert "有名额空出来了" in bot.screen(13).text
    await bot.press(1, "⬅ 返回")
    await bot.press(1, "📥 导出 Excel")
    export = bot.core.documents_for(1)[-1]
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["序号", "姓名", "单位", "工号", "状态"]
    statuses = {row[1].value: row[4].value for row in sheet.iter_rows(min_row=2)}
    assert statuses["孙七"] == "已报名" and statuses["张三"] == "被组织者移除"
    assert statuses["王五"] == "保留名额"
    m15 = await members.by_telegram_id(bot.db, 15)
    assert m15 is not None
    actions = [e.action for e in await audit.recent(bot.db)]
    assert actions.count("event_remove") == 2 and "event_add" in actions
