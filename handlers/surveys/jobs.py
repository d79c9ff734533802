"""The survey job: publish scheduled surveys, close expired ones, send the last reminder."""

from __future__ import annotations

import logging

from bot.services import BotContext
from handlers.surveys import actions as survey_actions
from storage.surveys import queries as store

log = logging.getLogger(__name__)

#: Seconds between runs; deadlines are minute-precise for members anyway.
INTERVAL = 60.0


async def tick(context: BotContext) -> None:
    """JobQueue callback: every due survey change, each in its own try so one bad row waits."""
    db, now = context.db, context.clock.time()
    settings = context.settings
    for survey in await store.due_to_publish(db, now):
        try:
            await survey_actions.publish(context, survey, None)
        except Exception:
            log.exception("could not publish survey %s", survey.id)
    for survey in await store.due_to_close(db, now):
        try:
            await survey_actions.close(context, survey, None)
        except Exception:
            log.exception("could not close survey %s", survey.id)
    if settings.survey_reminder_max <= 0:
        return
    lead = settings.survey_reminder_lead_hours * 3600
    for survey in await store.due_reminders(db, now, lead, settings.survey_reminder_max):
        try:
            await survey_actions.remind(context, survey, None)
        except Exception:
            log.exception("could not remind survey %s", survey.id)
