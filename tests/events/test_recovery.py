"""No step lost to a crash: event dialogs (wizard, edit, check-in, feedback) pick up again.

The kill is tests/crash.py's: the sandbox holds one Bot API call, the handler is dropped
while it waits (its database writes done, its screen not drawn), and a new Application
starts on the same database file.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage import dialogs
from storage.events import NewEvent, commands, queries
from tests.crash import die_inside
from tests.events.conftest import EventHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0
OFFICER, MEMBER = 1, 11
LONG_AGO = 3600.0  # down for an hour: too long ago for a redraw at start


async def _step(bot: EventHarness, telegram_id: int) -> str | None:
    dialog = await dialogs.get(bot.db, telegram_id)
    return dialog.step if dialog is not None else None


async def _wizard(bot: EventHarness) -> None:
    """The officer opens the creation wizard and names the event."""
    t = await bot.tree()
    await bot.member(OFFICER, "干部老王", t["branch1"], role="officer")
    await bot.send(OFFICER, "/officer")
    await bot.press(OFFICER, "📅 活动")
    await bot.press(OFFICER, "➕ 新建活动")
    await bot.send(OFFICER, "羽毛球友谊赛")
    assert await _step(bot, OFFICER) == "desc"


async def test_a_wizard_answer_stored_before_the_crash_gets_the_next_step(
    bot: EventHarness,
) -> None:
    await _wizard(bot)
    screen = bot.screen(OFFICER).message_id
    await die_inside(
        bot, "editMessageText", lambda: bot.core.user_press_button(OFFICER, "跳过", screen)
    )
    # The skipped description is kept and the new process shows the category step.
    assert await _step(bot, OFFICER) == "cat"
    assert "⚽ 体育" in bot.labels(OFFICER)


async def test_a_press_on_an_answered_wizard_step_redraws_the_current_step(
    bot: EventHarness,
) -> None:
    await _wizard(bot)
    screen = bot.screen(OFFICER).message_id
    await bot.press(OFFICER, "跳过")
    await bot.press(OFFICER, "⚽ 体育")
    assert await _step(bot, OFFICER) == "start"
    # A press on the description step's Skip, which is answered already: not refused,
    # the current step is drawn again and nothing is filed under it.
    alert = await bot.press_data(OFFICER, "ew:skip", message_id=screen)
    assert "过期" not in alert
    assert await _step(bot, OFFICER) == "start"
    assert "开始" in bot.screen(OFFICER).text


async def test_a_wizard_text_repeated_after_a_crash_is_not_filed_under_the_next_step(
    bot: EventHarness,
) -> None:
    await _wizard(bot)
    await bot.press(OFFICER, "跳过")
    await bot.press(OFFICER, "⚽ 体育")
    await bot.send(OFFICER, "3月5日 14:00")
    await die_inside(
        bot, "sendMessage", lambda: bot.core.user_send_text(OFFICER, "16:00"), down_for=LONG_AGO
    )
    # No place prompt came; the officer types the end time again.
    await bot.send(OFFICER, "16:00")
    dialog = await dialogs.get(bot.db, OFFICER)
    assert dialog is not None and dialog.step == "place" and "place" not in dialog.data
    assert "地点" in bot.screen(OFFICER).text


async def _published(bot: EventHarness) -> int:
    """An event two hours long tomorrow, a member signed up; the officer manages it."""
    t = await bot.tree()
    officer = await bot.member(OFFICER, "干部", t["company"], role="officer")
    await bot.member(MEMBER, "张三", t["group1"])
    start = datetime(2026, 3, 10, 14, tzinfo=SHANGHAI).timestamp()
    new = NewEvent(
        "职工培训", "安全生产", "training", start, start + 2 * HOUR, "三楼会议室", 5,
        start - HOUR, (t["branch1"],),
    )  # fmt: skip
    async with bot.db.transaction() as tx:
        event = await commands.create(tx, new, officer.id, bot.clock.time())
    await bot.send(MEMBER, "/events")
    await bot.press_labelled(MEMBER, "职工培训")
    await bot.press_labelled(MEMBER, "报名")
    return event.id


async def _manage(bot: EventHarness) -> None:
    await bot.send(OFFICER, "/officer")
    await bot.press(OFFICER, "📅 活动")
    await bot.press_labelled(OFFICER, "职工培训")


async def test_an_edit_step_stored_before_the_crash_is_asked_again_at_start(
    bot: EventHarness,
) -> None:
    await _published(bot)
    await _manage(bot)
    await bot.press(OFFICER, "🕒 修改时间")
    await die_inside(
        bot, "sendMessage", lambda: bot.core.user_send_text(OFFICER, "2026-03-12 09:00")
    )
    assert await _step(bot, OFFICER) == "time_end"
    assert "什么时候结束" in bot.screen(OFFICER).text


async def test_an_edit_text_repeated_after_a_crash_is_not_taken_as_the_end(
    bot: EventHarness,
) -> None:
    event_id = await _published(bot)
    await _manage(bot)
    await bot.press(OFFICER, "🕒 修改时间")
    await die_inside(
        bot,
        "sendMessage",
        lambda: bot.core.user_send_text(OFFICER, "2026-03-12 09:00"),
        down_for=LONG_AGO,
    )
    await bot.send(OFFICER, "2026-03-12 09:00")
    assert "什么时候结束" in bot.screen(OFFICER).text
    assert await _step(bot, OFFICER) == "time_end"
    event = await queries.get(bot.db, event_id)
    assert event is not None and event.sequence == 0


async def test_the_check_in_prompt_stored_before_the_crash_is_sent_at_start(
    bot: EventHarness,
) -> None:
    await _published(bot)
    bot.clock.set(datetime(2026, 3, 10, 13, 50, tzinfo=SHANGHAI))
    await bot.send(MEMBER, "/events")
    await bot.press_labelled(MEMBER, "职工培训")
    screen = bot.screen(MEMBER).message_id
    await die_inside(
        bot, "sendMessage", lambda: bot.core.user_press_button(MEMBER, "📍 签到", screen)
    )
    assert await _step(bot, MEMBER) == "code"
    assert "签到码" in bot.screen(MEMBER).text


async def _rated(bot: EventHarness, *, down_for: float = 0.0) -> int:
    """The member attended; after the event they rate it and the bot dies mid-screen."""
    event_id = await _published(bot)
    event = await queries.get(bot.db, event_id)
    assert event is not None
    bot.clock.set(datetime(2026, 3, 10, 14, tzinfo=SHANGHAI))
    await bot.send(MEMBER, f"/checkin {event.checkin_code}")
    bot.clock.set(datetime(2026, 3, 10, 17, tzinfo=SHANGHAI))
    await bot.run_jobs()
    screen = bot.screen(MEMBER).message_id
    await die_inside(
        bot,
        "editMessageText",
        lambda: bot.core.user_press_button(MEMBER, "5", screen),
        down_for=down_for,
    )
    return screen


async def test_the_comment_step_stored_before_the_crash_is_sent_at_start(
    bot: EventHarness,
) -> None:
    await _rated(bot)
    assert await _step(bot, MEMBER) == "comment"
    assert "跳过" in bot.labels(MEMBER)


async def test_a_rating_pressed_again_after_a_crash_redraws_the_comment_step(
    bot: EventHarness,
) -> None:
    screen = await _rated(bot, down_for=LONG_AGO)
    old = bot.core.message(MEMBER, screen)
    assert old is not None
    alert = await bot.press_data(MEMBER, str(old.buttons[4]["callback_data"]), message_id=screen)
    assert "已经评价过" not in alert
    assert "跳过" in bot.labels(MEMBER)
    assert await _step(bot, MEMBER) == "comment"
