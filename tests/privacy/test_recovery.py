"""No erasure left half-told by a crash: /forget has no typed dialog, only a confirm button.

The kill is in-process, as in tests/events/test_recovery.py: the sandbox holds the Bot API
call that draws the "deleted" screen, the handler is dropped while it waits (the erasure
committed), and a new Application starts on the same database file. Nothing can be redrawn
at start (the erased member's chat is no longer linked to anything), so the old
confirmation button, pressed again, must finish the job and say so.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Update

from bot.sandbox.models import Faults
from storage import members
from tests.harness import Harness

ME = 100
#: The insight tests' fixture: the real Application on a fresh database.


async def _die_inside(bot: Harness, method: str, label: str) -> None:
    """The member presses `label`; the bot dies while `method` is in flight; it restarts."""
    bot.core.faults = Faults(methods=frozenset({method}), delay_count=1, delay_seconds=3600)
    calls = bot.core.stats()["calls"].get(method, 0)
    bot.core.user_press_button(ME, label)
    raw = bot.core.peek_update()
    assert raw is not None
    bot.core.pop_update(raw)
    handling = asyncio.create_task(bot.app.process_update(Update.de_json(raw, bot.app.bot)))
    await bot.core.wait_for(lambda: bot.core.stats()["calls"].get(method, 0) > calls)
    handling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await handling
    bot.core.faults = Faults()
    await bot.restart()


async def test_a_press_on_the_confirmation_after_a_crash_shows_the_erasure_done(
    bot: Harness,
) -> None:
    t = await bot.tree()
    await bot.member(ME, "会员甲", t["branch1"])
    await bot.send(ME, "/forget")
    confirm = next(
        str(b["text"]) for b in bot.screen(ME).buttons if "确认删除" in str(b.get("text", ""))
    )
    await _die_inside(bot, "editMessageText", confirm)
    assert await members.by_telegram_id(bot.db, ME) is None, "the erasure was not committed"
    assert "确认删除" in " ".join(bot.labels(ME)), "the member still sees the confirmation"

    await bot.press(ME, confirm)

    screen = bot.screen(ME).text
    assert "已删除" in screen and "抱歉" not in screen, screen
    assert not bot.screen(ME).buttons, "the erasure screen has no buttons to press again"
    assert await members.by_telegram_id(bot.db, ME) is None, "the press left a member behind"
