"""Kill the bot inside one Bot API call and start a new process on the same database.

The kill is in-process: the sandbox holds one call of `method`, the handler is dropped
while it waits (its database writes done, its screen not drawn), and a new Application
starts on the same file, as a redeploy after `kill -9` would.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from telegram import Update

from bot.sandbox.models import Faults
from tests.harness import Harness


async def die_inside(
    bot: Harness, method: str, act: Callable[[], object], *, down_for: float = 0.0
) -> None:
    """The person acts; the bot dies while `method` is in flight; a new process starts."""
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


async def die_typing(bot: Harness, user: int, text: str, *, down_for: float = 0.0) -> None:
    """The user types `text`; the bot dies sending its reply; a new process starts."""
    await die_inside(
        bot, "sendMessage", lambda: bot.core.user_send_text(user, text), down_for=down_for
    )
