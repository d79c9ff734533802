"""Processed update ids, so a duplicate delivery by Telegram is handled once."""

from __future__ import annotations

import json
from dataclasses import dataclass

from storage.db import Executor
from storage.members import Member, member_from


@dataclass(frozen=True, slots=True)
class Arrival:
    """A first-time update's sender as stored: the member (None if new), roles, last seen."""

    member: Member | None
    last_seen_at: float | None
    is_admin: bool
    is_officer: bool


async def first_time(db: Executor, update_id: int, now: float) -> bool:
    """Record the update id; False when it was seen before."""
    return (
        await db.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
            (update_id, now),
        )
        > 0
    )


async def arrive(db: Executor, update_id: int, telegram_id: int, now: float) -> Arrival | None:
    """Record the update id and read its sender with their roles; None for a duplicate.

    One statement instead of five (duplicate check, member, two role checks, and the
    last-seen write the caller now skips when it is recent): each statement is a round
    trip to the database thread, and on a busy bot those trips were most of a press.
    Roles are read on every update, so a grant or revocation counts from the next one.
    """
    row = await db.fetchone(
        """INSERT INTO processed_updates (update_id, at) VALUES (?, ?)
           ON CONFLICT (update_id) DO NOTHING
           RETURNING
             (SELECT json_object('id', id, 'telegram_id', telegram_id, 'chat_id', chat_id,
                                 'name', name, 'unit_id', unit_id, 'employee_no', employee_no,
                                 'language', language, 'status', status,
                                 'unreachable_at', unreachable_at,
                                 'last_seen_at', last_seen_at)
              FROM members WHERE telegram_id = ?3),
             EXISTS (SELECT 1 FROM roles r JOIN members m ON m.id = r.member_id
                     WHERE m.telegram_id = ?3 AND r.role = 'admin'),
             EXISTS (SELECT 1 FROM roles r JOIN members m ON m.id = r.member_id
                     WHERE m.telegram_id = ?3)""",
        (update_id, now, telegram_id),
    )
    if row is None:
        return None
    if row[0] is None:
        return Arrival(None, None, False, False)
    found = json.loads(row[0])
    return Arrival(member_from(found), found["last_seen_at"], bool(row[1]), bool(row[2]))


async def prune(db: Executor, before: float) -> int:
    """Forget ids older than a cut-off (Telegram redelivers within a day at most)."""
    return await db.execute("DELETE FROM processed_updates WHERE at < ?", (before,))


async def highest(db: Executor) -> int | None:
    """The largest update id on record (None when none is), to resume numbering above it."""
    value = await db.fetchval("SELECT MAX(update_id) FROM processed_updates")
    return None if value is None else int(value)
