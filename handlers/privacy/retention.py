"""The daily housekeeping job: delete what is past its retention period."""

from __future__ import annotations

import logging

from bot.services import BotContext
from storage import insight
from storage.privacy import retention

log = logging.getLogger(__name__)

DAY = 86400.0
#: Seconds between runs; the job acts once per local day.
INTERVAL = 3600.0


async def housekeeping(context: BotContext) -> None:
    """Once a day, delete what is past its retention period (audit, outbox, survey state)."""
    now, settings = context.clock.time(), context.settings

    def before(days: int) -> float | None:
        return now - days * DAY if days > 0 else None

    keep = insight.Retention(
        audit_before=before(settings.retention_audit_days),
        outbox_before=before(settings.retention_outbox_days),
        survey_state_before=before(settings.retention_survey_state_days),
    )
    today = insight.local_day(now, settings.tz)
    oldest = insight.local_day(now - 400 * DAY, settings.tz)
    removed = await retention.housekeep(context.db, keep, today, oldest)
    if any(removed.values()):
        log.info("housekeeping removed %s", {k: v for k, v in removed.items() if v})
