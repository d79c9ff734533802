"""The one error handler: log with context, apologise to the person, keep running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.i18n import N_, pick_locale
from bot.services import BotApp, BotContext
from handlers.common import answer
from storage.db import DatabaseBusy

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception and tell the member something went wrong, in their language."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, DatabaseBusy):
        await tell_busy(update, context)
        return
    # Only ids and the exception: never message text, which may be an anonymous item.
    log.error("error while handling update %s", update_id, exc_info=context.error)
    await _apologise(
        update,
        context,
        N_(
            "😥 Sorry, something went wrong on our side. Please try again in a moment; "
            "/menu brings you back to the start."
        ),
    )


async def tell_busy(update: object, context: BotContext) -> None:
    """Another process held the database through every retry: the step wrote nothing.

    Not a bug, so no traceback: the member is told what was kept and to try again.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    log.warning("database locked through every retry; update %s was not handled", update_id)
    await _apologise(
        update,
        context,
        N_(
            "⏳ The bot is very busy and could not save this step. Everything you entered "
            "before it is kept; please try again in a moment."
        ),
    )


async def _apologise(update: object, context: BotContext, msgid: str) -> None:
    if not isinstance(update, Update):
        return
    update_id = update.update_id
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    services = context.bot_data
    locale: str = services.settings.default_language
    user = update.effective_user
    if user is not None:
        locale = pick_locale(user.language_code, locale)
    text = services.i18n.bind(locale)(msgid)
    if update.callback_query is not None and await answer(update, text[:190], alert=True):
        return  # otherwise answered already: say it in the chat instead
    try:
        await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not send the apology for update %s", update_id)


def register(app: BotApp) -> None:
    """Install the error handler."""
    app.add_error_handler(on_error)
