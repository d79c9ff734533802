"""Claims of due work: reminders and feedback requests, each claimed once."""

from __future__ import annotations

from storage.db import Transaction
from storage.events import Event
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
