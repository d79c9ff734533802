"""No reply lost to a crash: the bot dies inside a survey step and a new process picks it up.

The kill is in-process: the sandbox holds one Bot API call, the handler is dropped while
it waits (its database writes done, its screen not drawn), and a new Application starts
on the same database file, as a redeploy after `kill -9` would.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from telegram import Update

from bot.sandbox.models import Faults
from storage.surveys import progress as sessions
from tests.harness import Harness
from tests.surveys_chat.helpers import FLOW_YAML, OFFICER, publish, start_survey, union

MEMBER = 20


async def _answering(bot: Harness) -> int:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(MEMBER, "张三", t["生产一部"])
    survey_id = await publish(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    await start_survey(bot, MEMBER)
    assert "第 1/5 题" in bot.screen(MEMBER).text
    return survey_id


async def _die_inside(
    bot: Harness, method: str, act: Callable[[], object], *, down_for: float = 0.0
) -> None:
    """The member acts; the bot dies while `method` is in flight; a new process starts."""
    bot.core.faults = Faults(methods=frozenset({method}), delay_count=1, delay_seconds=3600)
    calls = bot.core.stats()["calls"].get(method, 0)
    act()
    raw = bot.core.peek_update()
    assert raw is not None
    bot.core.pop_update(raw)
    handling = asyncio.create_task(bot.app.process_update(Update.de_json(raw, bot.app.bot)))
    await bot.core.wait_for(lambda: bot.core.stats()["calls"].get(method, 0) > calls)
    handling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await handling
    bot.core.faults = Faults()
    bot.clock.advance(down_for)
    await bot.restart()


async def _progress(bot: Harness, survey_id: int) -> dict[str, object]:
    member = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = ?", (MEMBER,))
    session = await sessions.load(bot.db, survey_id, member)
    assert session is not None
    answers: dict[str, object] = session.progress["answers"]
    return answers


async def test_a_pressed_answer_stored_before_the_crash_gets_its_next_screen(bot: Harness) -> None:
    survey_id = await _answering(bot)
    screen = bot.screen(MEMBER).message_id
    await _die_inside(
        bot, "editMessageText", lambda: bot.core.user_press_button(MEMBER, "夜班", screen)
    )
    # The new process sends the step the member had reached; the old screen's buttons go.
    assert "第 2/5 题" in bot.screen(MEMBER).text
    old = bot.core.message(MEMBER, screen)
    assert old is not None and "第 1/5 题" in old.text and not old.buttons
    assert await _progress(bot, survey_id) == {"q1": "night"}


async def test_pressing_an_answered_steps_button_redraws_the_current_step(bot: Harness) -> None:
    survey_id = await _answering(bot)
    screen = bot.screen(MEMBER).message_id
    # Down for an hour: too long ago for a redraw at start.
    await _die_inside(
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
    assert await _progress(bot, survey_id) == {"q1": "night"}


async def test_a_typed_answer_stored_before_the_crash_gets_the_next_question(
    bot: Harness,
) -> None:
    survey_id = await _answering(bot)
    await bot.press(MEMBER, "白班")
    await bot.press(MEMBER, "☐ 工资")
    await bot.press(MEMBER, "✅ 完成（1）")
    assert "第 3/5 题" in bot.screen(MEMBER).text
    await _die_inside(bot, "sendMessage", lambda: bot.core.user_send_text(MEMBER, "12"))
    assert "第 4/5 题" in bot.screen(MEMBER).text
    assert (await _progress(bot, survey_id))["q3"] == 12


async def test_a_typed_answer_repeated_after_a_crash_is_not_filed_under_the_next_step(
    bot: Harness,
) -> None:
    survey_id = await _answering(bot)
    await bot.press(MEMBER, "白班")
    await bot.press(MEMBER, "☐ 工资")
    await bot.press(MEMBER, "✅ 完成（1）")
    await _die_inside(
        bot, "sendMessage", lambda: bot.core.user_send_text(MEMBER, "3"), down_for=3600
    )
    # No next question came; the member types the same answer again.
    await bot.send(MEMBER, "3")
    assert "第 4/5 题" in bot.screen(MEMBER).text
    answers = await _progress(bot, survey_id)
    assert answers["q3"] == 3 and "q4" not in answers
