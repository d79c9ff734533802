"""Buttons that only draw a screen of the caller's: no arguments, no refusal of their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.services import BotContext
from handlers.common import Caller
from handlers.routing import ActionHandler, Args

#: Draws a screen for the caller (it checks what it needs itself).
Screen = Callable[[Update, BotContext, Caller], Awaitable[None]]


def draws(screen: Screen) -> ActionHandler:
    """A button handler that draws `screen` and answers the press blank."""

    async def run(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
        await screen(update, context, caller)
        return None

    run.__doc__ = screen.__doc__
    run.__name__ = run.__qualname__ = getattr(screen, "__name__", "screen")
    return run
