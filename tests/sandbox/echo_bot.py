"""A tiny bot for the sandbox tests: /start offers two buttons, text is echoed in capitals."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

# Application is generic in six context types; the tests do not care which.
AnyApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("中文", callback_data="lang:zh"),
            InlineKeyboardButton("English", callback_data="lang:en"),
        ]
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the language choice."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "<b>Choose</b> a language", parse_mode="HTML", reply_markup=KEYBOARD
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer text in capitals."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text.upper())


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, then show the choice in place."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"chose {query.data}")


def add_handlers(app: AnyApp) -> None:
    """Register the echo bot's handlers."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(chosen))
