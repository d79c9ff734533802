"""The daily housekeeping: delete what is past its retention period, once per local day."""

from __future__ import annotations

from storage import insight
from storage.db import Database
from storage.insight import Retention

MARK = "housekeeping_day"


async def housekeep(db: Database, keep: Retention, today: str, oldest: str) -> dict[str, int]:
    """Delete what `keep` allows and snapshots before `oldest`; {} when today is done already."""
    async with db.transaction() as tx:
        if await insight.get_mark(tx, MARK) == today:
            return {}
        removed = await insight.housekeeping(tx, keep)
        removed["insight_snapshots"] = await insight.prune_snapshots(tx, oldest)
        await insight.set_mark(tx, MARK, today)
    await db.checkpoint()
    return removed
