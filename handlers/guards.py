"""Checks that run before any feature: duplicate updates and group chats."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.services import BotApp, BotContext
from handlers.errors import tell_busy
from handlers.keyboards import rows, url_button
from storage import updates
from storage.db import DatabaseBusy

log = logging.getLogger(__name__)


async def drop_duplicates(update: Update, context: BotContext) -> None:
    """Stop an update Telegram delivered a second time (after a webhook timeout)."""
    user = update.effective_user
    now = context.clock.time()
    try:
        if user is None:
            first = await updates.first_time(context.db, update.update_id, now)
        else:
            # The sender comes back with the same statement; get_caller uses it once.
            context.arrival = await updates.arrive(context.db, update.update_id, user.id, now)
            first = context.arrival is not None
    except DatabaseBusy:
        # Stop here: PTB would otherwise run the feature handlers after the error
        # handler, and the member would be told twice.
        await tell_busy(update, context)
        raise ApplicationHandlerStop from None
    if not first:
        log.info("duplicate update %s ignored", update.update_id)
        raise ApplicationHandlerStop


async def guard_groups(update: Update, context: BotContext) -> None:
    """In groups, answer only commands meant for this bot, pointing to a private chat."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    message = update.effective_message
    text = message.text if message is not None else None
    if message is not None and text and text.startswith("/"):
        command = text.split()[0]
        target = command.partition("@")[2]
        username = context.services.bot_username
        if not target or target.lower() == username.lower():
            _ = context.services.i18n.bind(context.settings.default_language)
            en = context.services.i18n.bind("en")
            link = f"https://t.me/{username}"
            await message.reply_text(
                _("Please talk to me in a private chat: {link}", link=link)
                + "\n"
                + en("Please talk to me in a private chat: {link}", link=link),
                reply_markup=rows([url_button("💬 " + _("Open private chat"), link)]),
            )
    raise ApplicationHandlerStop


def register(app: BotApp) -> None:
    """Install the guards in the earliest handler groups."""
    app.add_handler(TypeHandler(Update, drop_duplicates), group=-100)
    app.add_handler(TypeHandler(Update, guard_groups), group=-90)
