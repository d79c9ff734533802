"""No step of the announcement wizard lost to a crash between storing it and drawing it.

The kill is in-process (see tests/surveys_chat/test_recovery.py): the sandbox holds one
Bot API call, the handler is dropped while it waits, a new Application starts.
"""

from __future__ import annotations

from storage import dialogs, outbox
from tests.announcements.helpers import compose, people
from tests.crash import die_inside
from tests.harness import Harness

OFFICER = 10


async def _draft_ack(h: Harness) -> bool:
    dialog = await dialogs.get(h.db, OFFICER)
    assert dialog is not None
    return bool(dialog.data.get("ack"))


async def test_a_toggle_pressed_again_on_the_unmoved_screen_keeps_the_choice(
    bot: Harness,
) -> None:
    await people(bot)
    await compose(bot, "确认测试")
    review = bot.screen(OFFICER).message_id
    await die_inside(
        bot,
        "editMessageText",
        lambda: bot.core.user_press_button(OFFICER, "☐ 阅读确认：关", review),
        down_for=3600,
    )
    assert await _draft_ack(bot)  # stored before the crash; the screen still says "off"
    await bot.press(OFFICER, "☐ 阅读确认：关", message_id=review)
    assert await _draft_ack(bot)
    assert "✅ 阅读确认：开" in bot.labels(OFFICER)


async def test_send_pressed_again_on_the_old_review_shows_the_report(bot: Harness) -> None:
    await people(bot)
    await compose(bot, "重按发送")
    review = bot.screen(OFFICER).message_id
    await bot.press(OFFICER, "📤 立即发送")
    # After a crash the review screen would still offer "send now": its data is pressed again.
    alert = await bot.press_data(OFFICER, "an:go", message_id=review)
    assert "过期" not in alert
    # The pressed message shows the report (the officer's own copy may have arrived since).
    shown = bot.core.message(OFFICER, review)
    assert shown is not None and "已送达" in shown.text
    assert len(await outbox.of_kind(bot.db, "announce")) == 1


async def test_a_step_stored_before_the_crash_is_drawn_at_start(bot: Harness) -> None:
    await people(bot)
    await bot.send(OFFICER, "/announce")
    await bot.press(OFFICER, "✏️ 新建通知")
    await die_inside(bot, "sendMessage", lambda: bot.core.user_send_text(OFFICER, "起死回生"))
    assert "发送给谁" in bot.screen(OFFICER).text


async def test_text_typed_again_after_the_crash_redraws_the_audience_step(bot: Harness) -> None:
    await people(bot)
    await bot.send(OFFICER, "/announce")
    await bot.press(OFFICER, "✏️ 新建通知")
    await die_inside(
        bot, "sendMessage", lambda: bot.core.user_send_text(OFFICER, "再来一次"), down_for=3600
    )
    await bot.send(OFFICER, "再来一次")
    assert "发送给谁" in bot.screen(OFFICER).text
    dialog = await dialogs.get(bot.db, OFFICER)
    assert dialog is not None and dialog.step == "audience" and dialog.data["text"] == "再来一次"
