"""The event dispatcher: reminders, lapsed offers and feedback are rows with due times."""

from __future__ import annotations

import logging

from bot.services import BotContext
from handlers.events import feedback, notify
from handlers.events.views import policy
from storage.events import claims

log = logging.getLogger(__name__)

#: How often the JobQueue wakes the dispatcher; reminders are at most this late.
INTERVAL = 30.0


async def tick(context: BotContext) -> None:
    """Send due reminders, pass on lapsed offers and ask for feedback after events.

    Each kind is claimed in its own transaction before anything is sent, so a
    second instance (or a restart mid-way) never sends the same one twice.
    """
    db, now = context.db, context.clock.time()
    due = await claims.due_reminders(db, now)
    for event, before in due:
        sent = await notify.reminder(context, event, before)
        log.info("event %s: reminder %ss before sent to %s", event.id, before, sent)
    lapsed, moved = await claims.lapsed_offers(db, now, policy(context))
    await notify.offers_lapsed(context, lapsed)
    await notify.promotions(context, moved)
    ended = await claims.feedback_due(db, now)
    for event in ended:
        asked = await feedback.ask(context, event)
        log.info("event %s: feedback asked of %s", event.id, asked)
