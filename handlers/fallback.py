"""The last word: route typed input to the open dialog, or answer anything unhandled."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.services import BotApp, BotContext
from handlers.common import finish_press, get_caller, send, stale
from handlers.menu import send_menu
from handlers.registry import Registry, registry_of
from storage import dialogs

#: Handler group that runs after group 0 for every button press.
PRESS_DONE_GROUP = 100


async def on_private_message(update: Update, context: BotContext) -> None:
    """Give typed text or media to the open dialog; otherwise never stay silent."""
    caller = await get_caller(update, context)
    _ = caller._
    message = update.effective_message
    if message is None:
        return
    if message.text is not None and message.text.startswith("/"):
        await send(update, context, _("I do not know that command. /help lists what I can do."))
        return
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    route = registry_of(context).dialogs.get(dialog.kind) if dialog else None
    if dialog is not None and route is not None:
        if message.text is not None and route.on_text is not None:
            await route.on_text(update, context, caller, dialog)
            return
        if message.text is None and route.on_media is not None:
            await route.on_media(update, context, caller, dialog)
            return
        if message.text is None:
            await send(update, context, _("Please send text for this step, or /cancel to stop."))
        else:
            await send(update, context, _("Please use the buttons above, or /cancel to stop."))
        if route.reprompt is not None:
            await route.reprompt(update, context, caller, dialog)
        return
    if dialog is not None:
        # A dialog kind that no longer exists (e.g. after an upgrade): close it.
        await dialogs.clear(context.db, caller.member.telegram_id)
    if caller.member.verified:
        await send(update, context, _("I did not understand that. Please choose from the menu."))
    await send_menu(update, context, caller)


async def on_unknown_button(update: Update, context: BotContext) -> None:
    """A button no feature claims: forged, or from a retired version of the bot."""
    caller = await get_caller(update, context)
    await stale(update, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Install the catch-alls; registered last in group 0 so any feature matches first."""
    del registry
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE, on_private_message))
    app.add_handler(CallbackQueryHandler(on_unknown_button))
    # After every feature (and the error handler): each press gets exactly one answer.
    app.add_handler(CallbackQueryHandler(finish_press), group=PRESS_DONE_GROUP)
