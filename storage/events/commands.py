"""Event changes by officers: create, cancel, reschedule, move."""

from __future__ import annotations

import secrets

from storage.db import Executor, Transaction
from storage.events import ACTIVE, CODE_ALPHABET, CODE_LENGTH, Event, NewEvent, Signup
from storage.events.queries import get, signups


async def create(tx: Transaction, new: NewEvent, created_by: int | None, now: float) -> Event:
    """Insert a published event with its audience units and reminder rows."""
    code = await _fresh_code(tx)
    event_id = await tx.insert(
        """INSERT INTO events (title, description, category, starts_at, ends_at, place,
               capacity, signup_deadline, photo_file_id, checkin_code, created_by,
               created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            new.title,
            new.description,
            new.category,
            new.starts_at,
            new.ends_at,
            new.place,
            new.capacity,
            new.signup_deadline,
            new.photo_file_id,
            code,
            created_by,
            now,
            now,
        ),
    )
    await tx.executemany(
        "INSERT OR IGNORE INTO event_units (event_id, unit_id) VALUES (?, ?)",
        [(event_id, u) for u in new.unit_ids],
    )
    await tx.executemany(
        """INSERT OR IGNORE INTO event_reminders (event_id, before_seconds, due_at, fired_at)
           VALUES (?, ?, ?, ?)""",
        # A reminder whose time already passed is born fired: it must not go out late.
        [
            (event_id, b, new.starts_at - b, now if new.starts_at - b <= now else None)
            for b in new.reminders
        ],
    )
    event = await get(tx, event_id)
    assert event is not None
    return event


async def _fresh_code(db: Executor) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not await db.fetchval("SELECT 1 FROM events WHERE checkin_code = ?", (code,)):
            return code


async def cancel_event(tx: Transaction, event_id: int, now: float) -> list[Signup]:
    """Mark the event cancelled, drop pending reminders; return the active sign-ups to tell."""
    changed = await tx.execute(
        "UPDATE events SET status = 'cancelled', cancelled_at = ?, updated_at = ?, "
        "sequence = sequence + 1 WHERE id = ? AND status = 'published'",
        (now, now, event_id),
    )
    if not changed:
        return []
    await tx.execute(
        "DELETE FROM event_reminders WHERE event_id = ? AND fired_at IS NULL", (event_id,)
    )
    return await signups(tx, event_id, ACTIVE)


async def reschedule(
    tx: Transaction, event_id: int, starts_at: float, ends_at: float, now: float
) -> Event | None:
    """Move the event; a deadline "at start" moves with it, none ends up after the start."""
    # On the right of SET, starts_at is still the old start.
    changed = await tx.execute(
        """UPDATE events SET starts_at = ?, ends_at = ?,
               signup_deadline = CASE WHEN signup_deadline >= starts_at THEN ?
                                      ELSE MIN(signup_deadline, ?) END,
               sequence = sequence + 1, updated_at = ? WHERE id = ? AND status = 'published'""",
        (starts_at, ends_at, starts_at, starts_at, now, event_id),
    )
    if not changed:
        return None
    # Re-arm reminders now due in the future; one already past at the new time is skipped.
    await tx.execute(
        """UPDATE event_reminders SET due_at = ? - before_seconds,
               fired_at = CASE WHEN ? - before_seconds > ? THEN NULL ELSE COALESCE(fired_at, ?) END
           WHERE event_id = ?""",
        (starts_at, starts_at, now, now, event_id),
    )
    return await get(tx, event_id)


async def set_place(tx: Transaction, event_id: int, place: str, now: float) -> Event | None:
    """Change the place of a published event."""
    changed = await tx.execute(
        "UPDATE events SET place = ?, sequence = sequence + 1, updated_at = ? "
        "WHERE id = ? AND status = 'published'",
        (place, now, event_id),
    )
    return await get(tx, event_id) if changed else None
