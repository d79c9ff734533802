"""The outbox: broadcasts and their per-recipient rows (leases: storage/outbox_leases.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from storage.db import Executor, Row
from storage.outbox_leases import RUNNABLE, chunks


@dataclass(frozen=True, slots=True)
class Broadcast:
    """One bulk message: its payload (JSON), schedule and lifecycle state."""

    id: int
    kind: str
    ref: str | None
    payload: str
    priority: int
    state: str
    due_at: float
    total: int
    created_by: int | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Counts:
    """Row counts of one broadcast by state and error code."""

    by_state: dict[str, int]
    by_error: dict[tuple[str, str], int]
    acknowledged: int

    def get(self, state: str) -> int:
        """Rows in one state."""
        return self.by_state.get(state, 0)


def _broadcast(row: Row) -> Broadcast:
    """Row to dataclass."""
    return Broadcast(
        id=row["id"],
        kind=row["kind"],
        ref=row["ref"],
        payload=row["payload"],
        priority=row["priority"],
        state=row["state"],
        due_at=row["due_at"],
        total=row["total"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        files=json.loads(row["files"] or "{}"),
    )


async def create(
    db: Executor,
    *,
    kind: str,
    payload: str,
    member_ids: Sequence[int],
    due_at: float,
    now: float,
    created_by: int | None = None,
    priority: int = 0,
    ref: str | None = None,
) -> int:
    """Insert a broadcast and one pending row per distinct member; return its id.

    Call inside a transaction so the rows appear together with whatever caused
    them (a published survey, a cancelled event).
    """
    unique = list(dict.fromkeys(member_ids))
    state = "scheduled" if unique else "done"
    broadcast_id = await db.insert(
        """INSERT INTO broadcasts (kind, ref, payload, priority, state, due_at, total,
                                   created_by, created_at, finished_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            kind,
            ref,
            payload,
            priority,
            state,
            due_at,
            len(unique),
            created_by,
            now,
            None if unique else now,
        ),
    )
    await db.executemany(
        "INSERT OR IGNORE INTO outbox (broadcast_id, member_id) VALUES (?, ?)",
        [(broadcast_id, m) for m in unique],
    )
    return broadcast_id


async def get(db: Executor, broadcast_id: int) -> Broadcast | None:
    """One broadcast or None."""
    row = await db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return _broadcast(row) if row else None


async def of_kind(
    db: Executor, kind: str, *, states: Sequence[str] = (), ref: str | None = None
) -> list[Broadcast]:
    """Broadcasts of one kind (optionally by state and ref), newest first."""
    sql = "SELECT * FROM broadcasts WHERE kind = ?"
    params: list[object] = [kind]
    if states:
        sql += f" AND state IN ({','.join('?' * len(states))})"
        params.extend(states)
    if ref is not None:
        sql += " AND ref = ?"
        params.append(ref)
    rows = await db.fetchall(sql + " ORDER BY id DESC", params)
    return [_broadcast(r) for r in rows]


async def finish(db: Executor, now: float) -> list[int]:
    """Mark started broadcasts with no open rows left as done; return their ids."""
    rows = await db.fetchall(
        f"""UPDATE broadcasts SET state = 'done', finished_at = ?
            WHERE state IN ({",".join("?" * len(RUNNABLE))}) AND due_at <= ?
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = broadcasts.id
                              AND o.state IN ('pending', 'sending'))
            RETURNING id""",
        (now, *RUNNABLE, now),
    )
    return sorted(r[0] for r in rows)


async def halted(db: Executor, broadcast_ids: Iterable[int]) -> set[int]:
    """Which of these broadcasts are paused or cancelled now (possibly by another process)."""
    ids = sorted(set(broadcast_ids))
    out: set[int] = set()
    for chunk in chunks(ids):
        rows = await db.fetchall(
            f"""SELECT id FROM broadcasts WHERE state IN ('paused', 'cancelled')
                AND id IN ({",".join("?" * len(chunk))})""",
            list(chunk),
        )
        out.update(r[0] for r in rows)
    return out


async def next_due(db: Executor, now: float) -> float | None:
    """When the next row becomes claimable (a schedule, a retry, an expired lease)."""
    candidates: list[float] = []
    active = await db.fetchall(
        f"SELECT id, due_at FROM broadcasts WHERE state IN ({','.join('?' * len(RUNNABLE))})",
        RUNNABLE,
    )
    for row in active:
        first = await db.fetchval(
            "SELECT MIN(due_at) FROM outbox WHERE broadcast_id = ? AND state = 'pending'",
            (row["id"],),
        )
        if first is not None:
            candidates.append(max(float(row["due_at"]), float(first)))
    lease = await db.fetchval("SELECT MIN(lease_until) FROM outbox WHERE state = 'sending'")
    if lease is not None:
        candidates.append(float(lease))
    return min(candidates) if candidates else None


async def set_state(
    db: Executor, broadcast_id: int, state: str, *, only_from: Sequence[str]
) -> bool:
    """Move a broadcast between lifecycle states; False when it was not in `only_from`."""
    marks = ",".join("?" * len(only_from))
    return (
        await db.execute(
            f"UPDATE broadcasts SET state = ? WHERE id = ? AND state IN ({marks})",
            (state, broadcast_id, *only_from),
        )
        > 0
    )


async def resume(db: Executor, broadcast_id: int) -> bool:
    """Paused -> sending (or scheduled again when it never started)."""
    return (
        await db.execute(
            """UPDATE broadcasts
               SET state = CASE WHEN started_at IS NULL THEN 'scheduled' ELSE 'sending' END
               WHERE id = ? AND state = 'paused'""",
            (broadcast_id,),
        )
        > 0
    )


async def cancel(db: Executor, broadcast_id: int, now: float) -> bool:
    """Stop a broadcast: pending rows become cancelled; rows in flight finish."""
    changed = await db.execute(
        """UPDATE broadcasts SET state = 'cancelled', finished_at = ?
           WHERE id = ? AND state IN ('scheduled', 'sending', 'paused')""",
        (now, broadcast_id),
    )
    if changed:
        await db.execute(
            "UPDATE outbox SET state = 'cancelled' WHERE broadcast_id = ? AND state = 'pending'",
            (broadcast_id,),
        )
    return changed > 0


async def cancel_member(db: Executor, broadcast_id: int, member_id: int) -> bool:
    """Drop one recipient's pending row."""
    return (
        await db.execute(
            """UPDATE outbox SET state = 'cancelled'
               WHERE broadcast_id = ? AND member_id = ? AND state = 'pending'""",
            (broadcast_id, member_id),
        )
        > 0
    )


async def reschedule(db: Executor, broadcast_id: int, due_at: float) -> bool:
    """Move a broadcast that has not started yet to another time."""
    return (
        await db.execute(
            """UPDATE broadcasts SET due_at = ?
               WHERE id = ? AND started_at IS NULL AND state IN ('scheduled', 'paused')""",
            (due_at, broadcast_id),
        )
        > 0
    )


async def replace(
    db: Executor,
    broadcast_id: int,
    *,
    payload: str,
    member_ids: Sequence[int],
    due_at: float,
) -> bool:
    """Swap payload, recipients and time of a broadcast that has not started yet."""
    changed = await db.execute(
        """UPDATE broadcasts SET payload = ?, due_at = ?, total = ?, files = '{}'
           WHERE id = ? AND started_at IS NULL AND state = 'scheduled'""",
        (payload, due_at, len(set(member_ids)), broadcast_id),
    )
    if not changed:
        return False
    await db.execute("DELETE FROM outbox WHERE broadcast_id = ?", (broadcast_id,))
    await db.executemany(
        "INSERT OR IGNORE INTO outbox (broadcast_id, member_id) VALUES (?, ?)",
        [(broadcast_id, m) for m in dict.fromkeys(member_ids)],
    )
    return True


async def set_file_id(db: Executor, broadcast_id: int, key: str, file_id: str) -> None:
    """Remember the file_id Telegram gave an uploaded file, for all later rows."""
    await db.execute(
        "UPDATE broadcasts SET files = json_set(files, '$.' || json_quote(?), ?) WHERE id = ?",
        (key, file_id, broadcast_id),
    )


async def counts(db: Executor, broadcast_id: int) -> Counts:
    """Rows of a broadcast by state and by (state, error code), and acknowledgements."""
    rows = await db.fetchall(
        """SELECT state, IFNULL(error, '') AS error, COUNT(*) AS n, COUNT(acked_at) AS acked
           FROM outbox WHERE broadcast_id = ? GROUP BY state, error""",
        (broadcast_id,),
    )
    by_state: dict[str, int] = {}
    by_error: dict[tuple[str, str], int] = {}
    acked = 0
    for r in rows:
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
        if r["error"]:
            by_error[(r["state"], r["error"])] = r["n"]
        acked += r["acked"]
    return Counts(by_state, by_error, acked)


async def acknowledge(db: Executor, broadcast_id: int, member_id: int, now: float) -> bool:
    """Record a member's read confirmation; False when unknown or already given."""
    return (
        await db.execute(
            """UPDATE outbox SET acked_at = ?
               WHERE broadcast_id = ? AND member_id = ? AND acked_at IS NULL
                 AND state != 'cancelled'""",
            (now, broadcast_id, member_id),
        )
        > 0
    )


async def row_of(
    db: Executor, broadcast_id: int, member_id: int
) -> tuple[str, float | None] | None:
    """(state, acked_at) of one recipient's row, or None."""
    row = await db.fetchone(
        "SELECT state, acked_at FROM outbox WHERE broadcast_id = ? AND member_id = ?",
        (broadcast_id, member_id),
    )
    return (row["state"], row["acked_at"]) if row else None


async def active_ids(db: Executor) -> list[int]:
    """Broadcasts that are sending or paused (for progress reports)."""
    rows = await db.fetchall(
        "SELECT id FROM broadcasts WHERE state IN ('sending', 'paused') ORDER BY id"
    )
    return [r[0] for r in rows]
