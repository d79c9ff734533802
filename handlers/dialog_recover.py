"""At start: draw the wizard steps a stopped process stored but never showed."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.services import BotContext
from handlers.common import caller_of
from handlers.registry import registry_of
from storage import dialog_screens, members

log = logging.getLogger(__name__)

#: How far back a step counts as "just stored": a screen out of the blue an hour after a
#: crash would only puzzle; the person's next message or press redraws it anyway.
RECENT_SECONDS = 600.0


async def redraw_unsent(context: BotContext) -> int:
    """Send the current step of every recent dialog whose screen was lost; how many."""
    routes = {k: r.resume for k, r in registry_of(context).dialogs.items() if r.resume}
    since = context.clock.time() - RECENT_SECONDS
    sent = 0
    for telegram_id, dialog in await dialog_screens.undrawn(context.db, list(routes), since):
        member = await members.by_telegram_id(context.db, telegram_id)
        resume = routes.get(dialog.kind)
        if member is None or resume is None:
            continue
        try:
            await resume(context, await caller_of(context, member), dialog)
            sent += 1
        except TelegramError as exc:
            # Blocked the bot, chat gone: the step stays stored and is drawn on their next message.
            log.warning("%s step not re-sent: %s", dialog.kind, exc)
    if sent:
        log.info("re-sent %s dialog steps a stopped process had not shown", sent)
    return sent
