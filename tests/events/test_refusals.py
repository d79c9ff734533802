"""Bad input gets a clear, translated message and changes nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage import dialogs
from storage.events import queries
from tests.events.conftest import EventHarness
from tests.events.helpers import draft, publish

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 86400.0
HOUR = 3600.0


async def _event(bot: EventHarness, unit: int, officer: int, capacity: int | None = 2) -> int:
    start = bot.clock.time() + 3 * DAY
    new = draft(
        bot.clock, (unit,), title="茶话会", description="", category="culture",
        place="活动室", capacity=capacity, signup_deadline=start - DAY,
    )  # fmt: skip
    event = await publish(bot.db, new, bot.clock.time(), officer)
    return event.id


async def test_wizard_refuses_past_dates_backwards_times_bad_seats_and_late_deadlines(
    bot: EventHarness,
) -> None:
    t = await bot.tree()
    await bot.member(1, "干部", t["branch1"], role="officer")
    await bot.send(1, "/officer")
    await bot.press(1, "📅 活动")
    await bot.press(1, "➕ 新建活动")
    await bot.send(1, "春季运动会")
    await bot.press(1, "跳过")
    await bot.press(1, "⚽ 体育")
    reply = await bot.send(1, "3月1日 10:00")  # yesterday
    assert "已经过去" in reply[-1].text
    reply = await bot.send(1, "下周三")
    assert "无法识别" in reply[-1].text
    await bot.send(1, "2026-03-10 10:00")
    reply = await bot.send(1, "09:00")
    assert "结束时间必须晚于开始时间" in reply[-1].text
    await bot.send(1, "12:00")
    await bot.send(1, "操场")
    for bad in ("0", "-5", "abc"):
        reply = await bot.send(1, bad)
        assert "名额必须是 1 到 10000 之间的整数" in reply[-1].text
    await bot.send(1, "30")
    reply = await bot.send(1, "2026-03-11 08:00")
    assert "报名截止时间不能晚于活动开始时间" in reply[-1].text
    reply = await bot.send(1, "2026-03-01 08:00")
    assert "截止时间已经过去" in reply[-1].text
    dialog = await dialogs.get(bot.db, 1)
    assert dialog is not None and dialog.step == "deadline"
    assert dialog.data["capacity"] == 30
    assert dialog.data["starts_at"] == datetime(2026, 3, 10, 10, tzinfo=SHANGHAI).timestamp()
    assert await queries.in_scope(bot.db, [t["branch1"]], bot.clock.time()) == []
    # Units outside the officer's scope cannot be chosen, even with forged data.
    await bot.send(1, "2026-03-09 18:00")
    answer = await bot.press_data(1, f"ew:u:{t['branch2']}")
    assert "过期" in answer
    dialog = await dialogs.get(bot.db, 1)
    assert dialog is not None and dialog.data["units"] == []


async def test_forged_sign_up_for_another_units_event_is_refused(bot: EventHarness) -> None:
    t = await bot.tree()
    officer = await bot.member(1, "干部", t["branch1"], role="officer")
    outsider = await bot.member(20, "二分会员", t["group2"])
    event_id = await _event(bot, t["branch1"], officer.id)
    await bot.send(20, "/events")
    assert "没有近期活动" in bot.screen(20).text
    answer = await bot.press_data(20, f"ev:join:{event_id}")
    assert "不面向您所在的单位" in answer
    answer = await bot.press_data(20, f"ev:open:{event_id}")
    assert "不面向您所在的单位" in answer
    assert await queries.signup_of(bot.db, event_id, outsider.id) is None
    # Officers of another branch cannot manage it either.
    await bot.member(2, "二分干部", t["branch2"], role="officer")
    await bot.send(2, "/officer")
    answer = await bot.press_data(2, f"eo:cxok:{event_id}")
    assert "没有权限" in answer
    ev = await queries.get(bot.db, event_id)
    assert ev is not None and ev.published


async def _tea_party(bot: EventHarness) -> tuple[int, int]:
    """Branch 1's tea party (two seats) and member 11 of its group 1: (event, member)."""
    t = await bot.tree()
    officer = await bot.member(1, "干部", t["branch1"], role="officer")
    member = await bot.member(11, "张三", t["group1"])
    return await _event(bot, t["branch1"], officer.id), member.id


async def test_signing_up_twice_and_cancelling_after_the_deadline_change_nothing(
    bot: EventHarness,
) -> None:
    event_id, member_id = await _tea_party(bot)
    await bot.send(11, "/events")
    await bot.press_labelled(11, "茶话会")
    await bot.press(11, "✅ 报名")
    answer = await bot.press_data(11, f"ev:join:{event_id}")
    assert "已经报名" in answer
    assert (await queries.seats(bot.db, event_id)).confirmed == 1
    bot.clock.advance(2 * DAY + 60)  # past the deadline (one day before the start)
    answer = await bot.press_data(11, f"ev:quitok:{event_id}")
    assert "报名已截止" in answer
    signup = await queries.signup_of(bot.db, event_id, member_id)
    assert signup is not None and signup.status == "confirmed"
    # The card no longer offers cancelling at all.
    await bot.send(11, "/events")
    await bot.press_labelled(11, "茶话会")
    assert "✖ 取消报名" not in bot.labels(11)


async def test_check_in_outside_the_window_and_with_a_wrong_code(bot: EventHarness) -> None:
    event_id, member_id = await _tea_party(bot)
    event = await queries.get(bot.db, event_id)
    assert event is not None
    await bot.send(11, "/events")
    await bot.press_labelled(11, "茶话会")
    await bot.press(11, "✅ 报名")
    early = await bot.send(11, f"/checkin {event.checkin_code}")
    assert "签到将于" in early[-1].text
    await bot.send(11, "/checkin")
    wrong = await bot.send(11, "ABC")
    assert "签到码无效" in wrong[-1].text
    assert (await dialogs.get(bot.db, 11)) is not None  # still waiting for the right code
    bot.clock.advance(event.ends_at - bot.clock.time() + 1)
    late = await bot.send(11, event.checkin_code)
    assert "签到已结束" in late[-1].text
    signup = await queries.signup_of(bot.db, event_id, member_id)
    assert signup is not None and signup.checked_in_at is None
