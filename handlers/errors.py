"""The one error handler: log with context, apologise to the person, keep running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.i18n import pick_locale
from bot.services import BotApp, BotContext
from handlers.common import answer

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception and tell the member something went wrong, in their language."""
    update_id = update.update_id if isinstance(update, Update) else None
    # Only ids and the exception: never message text, which may be an anonymous item.
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    services = context.bot_data
    locale: str = services.settings.default_language
    user = update.effective_user
    if user is not None:
        locale = pick_locale(user.language_code, locale)
    _ = services.i18n.bind(locale)
    text = _(
        "😥 Sorry, something went wrong on our side. Please try again in a moment; "
        "/menu brings you back to the start."
    )
    if update.callback_query is not None and await answer(update, text[:190], alert=True):
        return  # otherwise answered already: say it in the chat instead
    try:
        await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not send the apology for update %s", update_id)


def register(app: BotApp) -> None:
    """Install the error handler."""
    app.add_error_handler(on_error)
