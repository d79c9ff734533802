"""Event dialog screens: drawn after their step is stored, drawn again after a crash."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update

from bot.services import BotContext
from handlers.common import Caller, send, show
from storage.dialogs import Dialog
from storage.events import screens

#: The screen of a dialog's current step: HTML text and its buttons.
Screen = tuple[str, InlineKeyboardMarkup | None]
ScreenOf = Callable[[BotContext, Caller, Dialog], Awaitable[Screen]]


async def draw(
    update: Update,
    context: BotContext,
    caller: Caller,
    dialog: Dialog,
    screen_of: ScreenOf,
    *,
    new: bool = False,
) -> None:
    """Show the step the dialog stands at (in place, or as a new message) and note it went out."""
    text, markup = await screen_of(context, caller, dialog)
    message = await (send if new else show)(update, context, text, markup)
    await screens.sent(
        context.db, caller.member.telegram_id, dialog, message.message_id if message else None
    )


async def advance(
    update: Update,
    context: BotContext,
    caller: Caller,
    dialog: Dialog,
    screen_of: ScreenOf,
    *,
    new: bool = False,
) -> None:
    """Store the dialog's new step first, then draw it: a crash between loses no answer."""
    await screens.store(context.db, caller.member.telegram_id, dialog, context.clock.time())
    await draw(update, context, caller, dialog, screen_of, new=new)
