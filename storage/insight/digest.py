"""The weekly digest's state: overdue items, recipients, and each send claimed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database, Executor
from storage.insight.figures import _marks, take_snapshot

# --- weekly digest ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overdue:
    """An overdue suggestion as the digest lists it (never with its author)."""

    id: int
    ref: str
    category: str
    unit_id: int
    due_at: float
    owner: str | None


async def overdue_suggestions(
    db: Executor, unit_ids: Sequence[int], now: float, *, limit: int = 20
) -> tuple[list[Overdue], int]:
    """Released items of the units past their deadline without a first answer, and how many."""
    ids = list(unit_ids)
    where = f"""s.unit_id IN ({_marks(ids)}) AND s.release_at <= ?
                AND s.status IN ('new', 'in_progress') AND s.first_reply_at IS NULL
                AND s.due_at <= ?"""
    total = int(
        await db.fetchval(f"SELECT COUNT(*) FROM suggestions s WHERE {where}", [*ids, now, now])
        or 0
    )
    rows = await db.fetchall(
        f"""SELECT s.id, s.ref, s.category, s.unit_id, s.due_at, o.name
            FROM suggestions s LEFT JOIN members o ON o.id = s.owner_id
            WHERE {where} ORDER BY s.due_at, s.ref LIMIT ?""",
        [*ids, now, now, limit],
    )
    return [Overdue(int(r[0]), r[1], r[2], int(r[3]), float(r[4]), r[5]) for r in rows], total


async def digest_recipients(db: Executor) -> list[int]:
    """Members who hold an officer or admin role and can be reached."""
    rows = await db.fetchall(
        """SELECT DISTINCT m.id FROM members m JOIN roles r ON r.member_id = m.id
           WHERE m.status = 'verified' ORDER BY m.id"""
    )
    return [int(r[0]) for r in rows]


async def open_digest(db: Executor, week: str, due_at: float, now: float) -> bool:
    """Start (or resume) the digest of a week; False when it was finished already."""
    await db.execute(
        "INSERT OR IGNORE INTO insight_digests (week, due_at, started_at) VALUES (?, ?, ?)",
        (week, due_at, now),
    )
    finished = await db.fetchval("SELECT finished_at FROM insight_digests WHERE week = ?", (week,))
    return finished is None


async def claim_digest_send(db: Executor, week: str, member_id: int, now: float) -> bool:
    """Claim one officer's digest of the week before sending; False when someone did already."""
    return (
        await db.execute(
            """INSERT OR IGNORE INTO insight_digest_sends (week, member_id, state, at)
               VALUES (?, ?, 'sending', ?)""",
            (week, member_id, now),
        )
        > 0
    )


async def mark_digest_send(db: Executor, week: str, member_id: int, state: str, now: float) -> None:
    """Record how one officer's digest went (sent, blocked or failed)."""
    await db.execute(
        "UPDATE insight_digest_sends SET state = ?, at = ? WHERE week = ? AND member_id = ?",
        (state, now, week, member_id),
    )


async def finish_digest(db: Executor, week: str, now: float) -> None:
    """Mark the week's digest done: later ticks of the same week do nothing."""
    await db.execute(
        "UPDATE insight_digests SET finished_at = ? WHERE week = ? AND finished_at IS NULL",
        (now, week),
    )


async def digest_sends(db: Executor, week: str) -> dict[int, str]:
    """member id -> state of the week's digest sends."""
    rows = await db.fetchall(
        "SELECT member_id, state FROM insight_digest_sends WHERE week = ?", (week,)
    )
    return {int(r[0]): str(r[1]) for r in rows}


async def get_mark(db: Executor, key: str) -> str | None:
    """A stored job mark (e.g. the last housekeeping day)."""
    value = await db.fetchval("SELECT value FROM insight_marks WHERE key = ?", (key,))
    return None if value is None else str(value)


async def set_mark(db: Executor, key: str, value: str) -> None:
    """Store a job mark."""
    await db.execute(
        """INSERT INTO insight_marks (key, value) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
        (key, value),
    )


async def open_week(db: Database, today: str, week: str, due: float, now: float) -> bool:
    """Take today's snapshot and open the digest of `week` (due at `due`); False if not to send."""
    async with db.transaction() as tx:
        await take_snapshot(tx, today, now)
        since = await get_mark(tx, "digest_since")
        if since is None:
            # A fresh install starts with the next digest, not one for a week it never saw.
            await set_mark(tx, "digest_since", repr(now))
            since = repr(now)
        return due >= float(since) and await open_digest(tx, week, due, now)


async def claim_send(db: Database, week: str, member_id: int, now: float) -> bool:
    """Claim one officer's digest of the week before sending it (False: someone has)."""
    async with db.transaction() as tx:
        return await claim_digest_send(tx, week, member_id, now)
