"""A typed step whose dialog the caller may no longer run: end the dialog and refuse once."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from handlers.common import Caller, refuse
from storage import dialogs


async def end_and_refuse(update: Update, context: BotContext, caller: Caller) -> None:
    """End the caller's dialog and refuse the input (a role revoked, an item gone)."""
    # Cleared first: the next message must not land in this dialog again.
    await dialogs.clear(context.db, caller.member.telegram_id)
    await refuse(update, caller)


async def ended_unless(update: Update, context: BotContext, caller: Caller, allowed: bool) -> bool:
    """False when `allowed`; else end the dialog, refuse the input, and return True."""
    if not allowed:
        await end_and_refuse(update, context, caller)
    return not allowed
