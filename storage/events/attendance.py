"""Check-in: codes, marking attendance, who attended."""

from __future__ import annotations

from storage.db import Database, Executor, Transaction
from storage.events import Event, Outcome, Result
from storage.events.places import result_of
from storage.events.queries import get, signup_of


async def by_checkin_code(db: Executor, code: str) -> Event | None:
    """The event a check-in code belongs to (codes are compared case-insensitively)."""
    event_id = await db.fetchval(
        "SELECT id FROM events WHERE checkin_code = ?", (code.strip().upper(),)
    )
    return await get(db, int(event_id)) if event_id is not None else None


async def check_in(tx: Transaction, event_id: int, member_id: int, now: float) -> Result:
    """Mark a confirmed member present (once)."""
    mine = await signup_of(tx, event_id, member_id)
    if mine is None or mine.status != "confirmed":
        return Result(Outcome.NOT_SIGNED_UP, mine)
    if mine.checked_in_at is not None:
        return Result(Outcome.ALREADY, mine)
    await tx.execute(
        "UPDATE event_signups SET checked_in_at = ?, updated_at = ? WHERE id = ?",
        (now, now, mine.id),
    )
    return await result_of(tx, Outcome.CHECKED_IN, event_id, member_id)


async def attendee_ids(db: Executor, event_id: int) -> list[int]:
    """Who attended: those checked in, or every confirmed member when nobody checked in."""
    rows = await db.fetchall(
        "SELECT member_id FROM event_signups WHERE event_id = ? AND status = 'confirmed' "
        "AND checked_in_at IS NOT NULL ORDER BY seq",
        (event_id,),
    )
    if not rows:
        rows = await db.fetchall(
            "SELECT member_id FROM event_signups WHERE event_id = ? AND status = 'confirmed' "
            "ORDER BY seq",
            (event_id,),
        )
    return [r[0] for r in rows]


async def arrive(db: Database, event_id: int, member_id: int, now: float) -> Result:
    """A member's code or scan: `check_in` in its own transaction."""
    async with db.transaction() as tx:
        return await check_in(tx, event_id, member_id, now)
