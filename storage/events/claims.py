"""Claims of due work: reminders and feedback requests, each claimed once."""

from __future__ import annotations

from storage.db import Database, Transaction
from storage.events import Event, OfferPolicy, Promotion, Signup
from storage.events.places import expire_offers
from storage.events.queries import get


async def claim_due_reminders(tx: Transaction, now: float) -> list[tuple[Event, int]]:
    """Mark due reminders fired and return (event, seconds before) for those still useful."""
    rows = await tx.fetchall(
        """SELECT r.id, r.before_seconds, r.event_id, e.status, e.starts_at
           FROM event_reminders r JOIN events e ON e.id = r.event_id
           WHERE r.fired_at IS NULL AND r.due_at <= ? ORDER BY r.due_at, r.id""",
        (now,),
    )
    out: list[tuple[Event, int]] = []
    for row in rows:
        await tx.execute("UPDATE event_reminders SET fired_at = ? WHERE id = ?", (now, row[0]))
        # After a long outage a reminder for an event that began is noise, not help.
        if row["status"] == "published" and row["starts_at"] > now:
            event = await get(tx, row["event_id"])
            if event is not None:
                out.append((event, row["before_seconds"]))
    return out


async def claim_feedback_due(tx: Transaction, now: float) -> list[Event]:
    """Events that ended and have not yet asked for feedback; marks them asked."""
    rows = await tx.fetchall(
        "SELECT id FROM events WHERE status = 'published' AND feedback_sent_at IS NULL "
        "AND ends_at <= ? ORDER BY ends_at, id",
        (now,),
    )
    out: list[Event] = []
    for row in rows:
        await tx.execute("UPDATE events SET feedback_sent_at = ? WHERE id = ?", (now, row[0]))
        event = await get(tx, row[0])
        if event is not None:
            out.append(event)
    return out


async def due_reminders(db: Database, now: float) -> list[tuple[Event, int]]:
    """Claim due reminders in their own transaction (a second instance never gets them too)."""
    async with db.transaction() as tx:
        return await claim_due_reminders(tx, now)


async def lapsed_offers(
    db: Database, now: float, policy: OfferPolicy
) -> tuple[list[Signup], list[Promotion]]:
    """Pass on held seats nobody confirmed in time, in one transaction."""
    async with db.transaction() as tx:
        return await expire_offers(tx, now, policy)


async def feedback_due(db: Database, now: float) -> list[Event]:
    """Claim ended events whose attendees are to be asked for feedback, once."""
    async with db.transaction() as tx:
        return await claim_feedback_due(tx, now)
