"""The anonymous release: open the mixing pool at each release time, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from storage import mixing
from storage.db import Database
from storage.mixing import Released
from storage.sealing import Sealer


async def release_due(
    db: Database,
    sealer: Sealer | None,
    now: float,
    times: Sequence[str],
    tz: tzinfo,
    threshold: int,
) -> Released | None:
    """Release the pool if a release time has passed since the last one (None: nothing due)."""
    slot = mixing.last_slot(now, times, tz)
    if await mixing.released_slot(db) >= slot:
        return None
    async with db.transaction() as tx:
        done = await mixing.release(tx, sealer, slot=slot, tz=tz, threshold=threshold)
    # Afterwards the -wal is emptied, so a copy of the live folder keeps no arrival order.
    await db.checkpoint()
    return done
