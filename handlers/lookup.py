"""Buttons that act on one item: find it from the press's first argument or answer the refusal."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Update

from bot.services import BotContext
from handlers.common import Caller
from handlers.routing import ActionHandler, Args

T = TypeVar("T")

#: Finds the item the caller may act on, or returns the alert text that refuses the press.
Finder = Callable[[BotContext, Caller, int], Awaitable[T | str]]
#: A button handler that is handed the item it acts on.
ItemHandler = Callable[[Update, BotContext, Caller, Args, T], Awaitable[str | None]]


def on_item(find: Finder[T]) -> Callable[[ItemHandler[T]], ActionHandler]:
    """Wrap a handler so it runs only with the item `find` returns for the press's first number."""

    def wrap(handler: ItemHandler[T]) -> ActionHandler:
        @functools.wraps(handler)
        async def run(
            update: Update, context: BotContext, caller: Caller, args: Args
        ) -> str | None:
            item = await find(context, caller, args.num(0))
            if isinstance(item, str):
                return item
            return await handler(update, context, caller, args, item)

        return run

    return wrap
