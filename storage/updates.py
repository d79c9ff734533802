"""Processed update ids, so a duplicate delivery by Telegram is handled once."""

from __future__ import annotations

from storage.db import Executor


async def first_time(db: Executor, update_id: int, now: float) -> bool:
    """Record the update id; False when it was seen before."""
    return (
        await db.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
            (update_id, now),
        )
        > 0
    )


async def prune(db: Executor, before: float) -> int:
    """Forget ids older than a cut-off (Telegram redelivers within a day at most)."""
    return await db.execute("DELETE FROM processed_updates WHERE at < ?", (before,))


async def highest(db: Executor) -> int | None:
    """The largest update id on record (None when none is), to resume numbering above it."""
    value = await db.fetchval("SELECT MAX(update_id) FROM processed_updates")
    return None if value is None else int(value)
