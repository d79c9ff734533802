"""The weekly digest's claims: today's snapshot and the week opened once, each send once."""

from __future__ import annotations

from storage import insight
from storage.db import Database


async def open_week(db: Database, today: str, week: str, due: float, now: float) -> bool:
    """Take today's snapshot and open the digest of `week` (due at `due`); False if not to send."""
    async with db.transaction() as tx:
        await insight.take_snapshot(tx, today, now)
        since = await insight.get_mark(tx, "digest_since")
        if since is None:
            # A fresh install starts with the next digest, not one for a week it never saw.
            await insight.set_mark(tx, "digest_since", repr(now))
            since = repr(now)
        return due >= float(since) and await insight.open_digest(tx, week, due, now)


async def claim_send(db: Database, week: str, member_id: int, now: float) -> bool:
    """Claim one officer's digest of the week before sending it (False: someone has)."""
    async with db.transaction() as tx:
        return await insight.claim_digest_send(tx, week, member_id, now)
