"""Buttons and commands that only draw a screen of the caller's (commands: members only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update

from bot.i18n import N_
from bot.services import BotContext
from handlers.common import Caller, get_caller, send
from handlers.routing import ActionHandler, Args

#: Draws a screen for the caller (it checks what it needs itself).
Screen = Callable[[Update, BotContext, Caller], Awaitable[None]]
#: A command callback, as CommandHandler calls it.
Command = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

REGISTER_FIRST = N_("Please register first: send /start.")


def draws(screen: Screen) -> ActionHandler:
    """A button handler that draws `screen` and answers the press blank."""

    async def run(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
        await screen(update, context, caller)
        return None

    run.__doc__ = screen.__doc__
    run.__name__ = run.__qualname__ = getattr(screen, "__name__", "screen")
    return run


def member_command(screen: Screen, unregistered: str = REGISTER_FIRST) -> Command:
    """A command that draws `screen` for a registered member; others are told `unregistered`."""

    async def run(update: Update, context: BotContext) -> None:
        caller = await get_caller(update, context)
        if not caller.member.verified:
            await send(update, context, caller._(unregistered))
            return
        await screen(update, context, caller)

    run.__doc__ = screen.__doc__
    return run
