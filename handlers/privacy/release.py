"""The release job: at each release time, open the mixing pool and write its batches."""

# Runs every minute but acts once per configured release time (ANONYMOUS_DIGEST_TIMES);
# the release itself is rows in SQLite (storage/mixing.py), so a restart or a second
# instance neither loses nor repeats one. Afterwards the -wal is emptied, so a copy of
# the live data folder holds no trace of the order items arrived in.

from __future__ import annotations

import logging

from bot.services import BotContext
from storage.privacy import release as anon_release

log = logging.getLogger(__name__)

#: Seconds between runs: release times are minute-precise.
INTERVAL = 60.0


async def release(context: BotContext) -> None:
    """Release what the pool holds if a release time has passed since the last one."""
    settings = context.settings
    done = await anon_release.release_due(
        context.db,
        context.services.sealer,
        context.clock.time(),
        settings.anonymous_digest_times,
        settings.tz,
        settings.anonymity_threshold,
    )
    if done is not None and (done.written or done.dropped):
        log.info(
            "anonymous release: %s written, %s batches waiting, %s dropped",
            sum(done.written.values()),
            len(done.waiting),
            done.dropped,
        )
