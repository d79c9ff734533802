"""At start: draw the wizard step whose screen a stopped process never got to send."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.services import BotContext
from handlers.announcements.draft import Draft
from handlers.announcements.screens import redraw
from handlers.common import caller_of, chat_update
from storage import members
from storage.announcements import steps

log = logging.getLogger(__name__)

#: How far back a step counts as just taken (an older one would only puzzle the officer).
RECENT_SECONDS = 600.0


async def redraw_unsent(context: BotContext) -> int:
    """Send every recent step whose screen was never sent; how many."""
    db = context.db
    sent = 0
    for telegram_id, step, data in await steps.unshown(db, context.clock.time() - RECENT_SECONDS):
        member = await members.by_telegram_id(db, telegram_id)
        if member is None:
            continue
        caller = await caller_of(context, member)
        if not caller.is_officer:
            continue
        try:
            await redraw(chat_update(member.chat_id), context, caller, Draft.from_data(data), step)
            sent += 1
        except TelegramError as exc:
            # Blocked the bot, chat gone: the draft stays; /announce → the wizard goes on.
            log.warning("announcement step of %s not re-sent: %s", telegram_id, exc)
    return sent
