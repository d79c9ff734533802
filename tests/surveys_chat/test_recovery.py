"""No reply lost to a crash: the bot dies inside a survey step and a new process picks it up.

The kill is in-process: the sandbox holds one Bot API call, the handler is dropped while
it waits (its database writes done, its screen not drawn), and a new Application starts
on the same database file, as a redeploy after `kill -9` would.
"""

from __future__ import annotations

from tests.crash import die_inside, die_typing
from tests.harness import Harness
from tests.surveys_chat.helpers import answering, answers_so_far

MEMBER = 20
#: tests/announcements and tests/study import the kill from here; tests/crash.py holds it.
_die_inside = die_inside


async def _answering(bot: Harness) -> int:
    survey_id = await answering(bot, MEMBER)
    assert "第 1/5 题" in bot.screen(MEMBER).text
    return survey_id


async def _at_typed_question(bot: Harness) -> int:
    """The member answered the two choice questions and stands at q3, a typed number."""
    survey_id = await _answering(bot)
    await bot.press(MEMBER, "白班")
    await bot.press(MEMBER, "☐ 工资")
    await bot.press(MEMBER, "✅ 完成（1）")
    assert "第 3/5 题" in bot.screen(MEMBER).text
    return survey_id


async def test_a_pressed_answer_stored_before_the_crash_gets_its_next_screen(bot: Harness) -> None:
    survey_id = await _answering(bot)
    screen = bot.screen(MEMBER).message_id
    await die_inside(
        bot, "editMessageText", lambda: bot.core.user_press_button(MEMBER, "夜班", screen)
    )
    # The new process sends the step the member had reached; the old screen's buttons go.
    assert "第 2/5 题" in bot.screen(MEMBER).text
    old = bot.core.message(MEMBER, screen)
    assert old is not None and "第 1/5 题" in old.text and not old.buttons
    assert await answers_so_far(bot, survey_id, MEMBER) == {"q1": "night"}


async def test_pressing_an_answered_steps_button_redraws_the_current_step(bot: Harness) -> None:
    survey_id = await _answering(bot)
    screen = bot.screen(MEMBER).message_id
    # Down for an hour: too long ago for a redraw at start.
    await die_inside(
        bot,
        "editMessageText",
        lambda: bot.core.user_press_button(MEMBER, "夜班", screen),
        down_for=3600,
    )
    assert "第 1/5 题" in bot.screen(MEMBER).text
    alert = await bot.press_data(MEMBER, f"sv:a:{survey_id}:0:0", message_id=screen)
    assert "之前的题目" not in alert
    assert "已保存" in alert
    assert "第 2/5 题" in bot.screen(MEMBER).text
    # The first answer is kept; the press changed nothing.
    assert await answers_so_far(bot, survey_id, MEMBER) == {"q1": "night"}


async def test_a_typed_answer_stored_before_the_crash_gets_the_next_question(
    bot: Harness,
) -> None:
    survey_id = await _at_typed_question(bot)
    await die_typing(bot, MEMBER, "12")
    assert "第 4/5 题" in bot.screen(MEMBER).text
    assert (await answers_so_far(bot, survey_id, MEMBER))["q3"] == 12


async def test_a_typed_answer_repeated_after_a_crash_is_not_filed_under_the_next_step(
    bot: Harness,
) -> None:
    survey_id = await _at_typed_question(bot)
    await die_typing(bot, MEMBER, "3", down_for=3600)
    # No next question came; the member types the same answer again.
    await bot.send(MEMBER, "3")
    assert "第 4/5 题" in bot.screen(MEMBER).text
    answers = await answers_so_far(bot, survey_id, MEMBER)
    assert answers["q3"] == 3 and "q4" not in answers
