"""JobQueue jobs: they only wake the dispatchers; the work itself is rows in SQLite."""

from __future__ import annotations

import logging

from bot.delivery import install_delivery_job
from bot.services import BotApp, BotContext
from handlers import (
    anon_release,
    dashboard,
    events_jobs,
    privacy,
    study_common,
    suggestions_supervision,
    survey_jobs,
    tasks,
)
from storage import updates

log = logging.getLogger(__name__)

#: Telegram redelivers an update within hours at most; a day of ids is plenty.
PROCESSED_UPDATES_KEEP_SECONDS = 86400.0


async def prune_processed_updates(context: BotContext) -> None:
    """Forget old update ids so the table stays small."""
    cutoff = context.clock.time() - PROCESSED_UPDATES_KEEP_SECONDS
    removed = await updates.prune(context.db, cutoff)
    if removed:
        log.debug("pruned %s processed update ids", removed)


def install_jobs(app: BotApp) -> None:
    """Register the recurring jobs (idempotent: replaces jobs with the same name)."""
    queue = app.job_queue
    if queue is None:
        return
    for job in queue.get_jobs_by_name("prune_updates"):
        job.schedule_removal()
    queue.run_repeating(prune_processed_updates, interval=3600, first=60, name="prune_updates")
    install_delivery_job(app)
    queue.run_repeating(
        anon_release.release, interval=anon_release.INTERVAL, first=2, name="anonymous_release"
    )
    queue.run_repeating(events_jobs.tick, interval=events_jobs.INTERVAL, name="events_tick")
    queue.run_repeating(
        suggestions_supervision.sweep, interval=60, first=30, name="suggestions_sweep"
    )
    queue.run_repeating(survey_jobs.tick, interval=survey_jobs.INTERVAL, name="surveys_tick")
    queue.run_repeating(
        study_common.release_job, interval=study_common.INTERVAL, first=5, name="study_release"
    )
    queue.run_repeating(dashboard.tick, interval=dashboard.INTERVAL, first=300, name="digest")
    queue.run_repeating(privacy.housekeeping, interval=3600, first=600, name="housekeeping")
    tasks.install_jobs(app)
