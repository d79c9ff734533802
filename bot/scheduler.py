"""JobQueue jobs: they only wake the dispatchers; the work itself is rows in SQLite."""

from __future__ import annotations

import logging

from bot.delivery import install_delivery_job
from bot.services import BotApp, BotContext
from handlers.registry import registry_of
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
    # Every feature's jobs, as declared in its register(); replacing by name keeps this idempotent.
    for entry in registry_of(app).jobs:
        for job in queue.get_jobs_by_name(entry.name):
            job.schedule_removal()
        queue.run_repeating(
            entry.callback, interval=entry.interval, first=entry.first, name=entry.name
        )
