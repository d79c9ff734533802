"""Outbox rows on lease: claiming due rows fairly, renewing leases, recording results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from storage import members
from storage.db import Executor, Row

T = TypeVar("T")

#: Row states that still need work.
OPEN_STATES = ("pending", "sending")
#: Broadcast states whose rows may be claimed once due.
RUNNABLE = ("scheduled", "sending")
#: SQLite's variable limit is 32766 on current builds; stay far below for old ones.
_CHUNK = 500
#: Sent results per statement: five variables each, under the old limit of 999.
_SENT_CHUNK = 150


def chunks(ids: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    """Slices small enough for one statement's parameters."""
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this process leased: who to send to and how far it got."""

    id: int
    broadcast_id: int
    member_id: int
    chat_id: int
    language: str
    unreachable: bool
    attempts: int
    parts_sent: int
    lease_until: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a leased row; state 'pending' puts it back for a later attempt."""

    row_id: int
    member_id: int
    state: str  # sent, failed, blocked, skipped, pending
    attempts: int
    parts_sent: int
    due_at: float = 0.0
    error: str | None = None
    detail: str | None = None
    message_id: int | None = None
    chat_id: int | None = None


def _weight(priority: int) -> float:
    """Share of a claim: each step of priority doubles it (bounded so nobody starves)."""
    return float(2 ** max(-4, min(4, priority)))


async def claim(
    db: Executor, owner: str, now: float, lease_until: float, limit: int
) -> list[Claimed]:
    """Lease up to `limit` due rows, shared fairly across runnable broadcasts.

    Run inside BEGIN IMMEDIATE: the select and the update must be one step, or
    two processes could lease the same row. A row leased by someone else is
    due again once that lease has expired (its owner crashed).
    """
    active = await db.fetchall(
        f"""SELECT id, priority FROM broadcasts
            WHERE state IN ({",".join("?" * len(RUNNABLE))}) AND due_at <= ?
            ORDER BY priority DESC, served_at, id""",
        (*RUNNABLE, now),
    )
    if not active or limit <= 0:
        return []
    weights = [_weight(r["priority"]) for r in active]
    total_weight = sum(weights)
    picked: dict[int, list[Row]] = {}
    full: list[int] = []
    taken = 0
    # First pass: each broadcast gets its weighted share (at least one row).
    for row, weight in zip(active, weights, strict=True):
        if taken >= limit:
            break
        quota = min(limit - taken, max(1, int(limit * weight / total_weight)))
        got = await _due_rows(db, row["id"], now, quota, ())
        if got:
            picked[row["id"]] = got
            taken += len(got)
            if len(got) == quota:
                full.append(row["id"])
    # Second pass: what small broadcasts left over goes to those with more rows.
    for broadcast_id in full:
        if taken >= limit:
            break
        exclude = tuple(r["id"] for r in picked[broadcast_id])
        more = await _due_rows(db, broadcast_id, now, limit - taken, exclude)
        picked[broadcast_id].extend(more)
        taken += len(more)
    if not picked:
        return []
    claimed: list[Claimed] = []
    # Interleave broadcasts so the local queue alternates between them as well.
    lists = list(picked.values())
    for i in range(max(len(x) for x in lists)):
        for rows in lists:
            if i < len(rows):
                r = rows[i]
                claimed.append(
                    Claimed(
                        id=r["id"],
                        broadcast_id=r["broadcast_id"],
                        member_id=r["member_id"],
                        chat_id=r["chat_id"],
                        language=r["language"],
                        unreachable=r["unreachable_at"] is not None,
                        attempts=r["attempts"],
                        parts_sent=r["parts_sent"],
                        lease_until=lease_until,
                    )
                )
    ids = [c.id for c in claimed]
    for chunk in chunks(ids):
        await db.execute(
            f"""UPDATE outbox SET state = 'sending', lease_owner = ?, lease_until = ?
                WHERE id IN ({",".join("?" * len(chunk))})""",
            (owner, lease_until, *chunk),
        )
    started = list(picked)
    await db.execute(
        f"""UPDATE broadcasts SET state = 'sending', started_at = COALESCE(started_at, ?),
                served_at = ?
            WHERE id IN ({",".join("?" * len(started))})""",
        (now, now, *started),
    )
    return claimed


async def _due_rows(
    db: Executor, broadcast_id: int, now: float, limit: int, exclude: tuple[int, ...]
) -> list[Row]:
    """Pending rows that are due, then rows whose lease expired, oldest first."""
    skip = f" AND o.id NOT IN ({','.join('?' * len(exclude))})" if exclude else ""
    columns = """o.id, o.broadcast_id, o.member_id, o.attempts, o.parts_sent,
                 m.chat_id, m.language, m.unreachable_at"""
    rows = await db.fetchall(
        f"""SELECT {columns} FROM outbox o JOIN members m ON m.id = o.member_id
            WHERE o.broadcast_id = ? AND o.state = 'pending' AND o.due_at <= ?{skip}
            ORDER BY o.due_at, o.id LIMIT ?""",
        (broadcast_id, now, *exclude, limit),
    )
    if len(rows) < limit:
        rows += await db.fetchall(
            f"""SELECT {columns} FROM outbox o JOIN members m ON m.id = o.member_id
                WHERE o.broadcast_id = ? AND o.state = 'sending' AND o.lease_until < ?{skip}
                ORDER BY o.id LIMIT ?""",
            (broadcast_id, now, *exclude, limit - len(rows)),
        )
    return rows


async def renew(db: Executor, owner: str, row_ids: Sequence[int], lease_until: float) -> set[int]:
    """Extend this owner's leases on these rows; return the ids that are still its own."""
    kept: set[int] = set()
    for chunk in chunks(list(row_ids)):
        rows = await db.fetchall(
            f"""UPDATE outbox SET lease_until = ?
                WHERE state = 'sending' AND lease_owner = ?
                  AND id IN ({",".join("?" * len(chunk))})
                RETURNING id""",
            (lease_until, owner, *chunk),
        )
        kept.update(r[0] for r in rows)
    return kept


async def release_all(db: Executor, owner: str) -> int:
    """Hand back every row this owner leased but did not send (clean shutdown)."""
    return await db.execute(
        """UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL
           WHERE state = 'sending' AND lease_owner = ?""",
        (owner,),
    )


async def record(db: Executor, owner: str, outcomes: Sequence[Outcome], now: float) -> int:
    """Write the results of sends; rows whose lease we lost are left alone.

    Returns how many outcomes were applied. The owner check means a process that
    stalled past its lease cannot overwrite the result of whoever took over.
    """
    applied = 0
    sent = [o for o in outcomes if o.state == "sent"]
    final = [o for o in outcomes if o.state in ("failed", "blocked", "skipped")]
    again = [o for o in outcomes if o.state == "pending"]
    for chunk in chunks(sent, _SENT_CHUNK):
        # One statement (one round trip) for the whole batch: sent rows are the hot path
        # of a broadcast, and each extra trip to the database thread costs every message.
        values = ",".join("(?, ?, ?, ?, ?)" for _ in chunk)
        rows = await db.fetchall(
            f"""WITH v (id, attempts, parts_sent, message_id, chat_id) AS (VALUES {values})
                UPDATE outbox SET state = 'sent', sent_at = ?, attempts = v.attempts,
                    parts_sent = v.parts_sent, message_id = v.message_id, chat_id = v.chat_id,
                    error = NULL, detail = NULL, lease_owner = NULL, lease_until = NULL
                FROM v
                WHERE outbox.id = v.id AND outbox.lease_owner = ? AND outbox.state = 'sending'
                RETURNING 1""",
            (
                *(x for o in chunk for x in (o.row_id, o.attempts, o.parts_sent, o.message_id,
                                             o.chat_id)),
                now,
                owner,
            ),
        )  # fmt: skip
        applied += len(rows)
    if final:
        applied += await _many(
            db,
            """UPDATE outbox SET state = ?, error = ?, detail = ?, attempts = ?, parts_sent = ?,
                   chat_id = COALESCE(?, chat_id), lease_owner = NULL, lease_until = NULL
               WHERE id = ? AND lease_owner = ? AND state = 'sending'""",
            [
                (o.state, o.error, o.detail, o.attempts, o.parts_sent, o.chat_id, o.row_id, owner)
                for o in final
            ],
        )
        for o in final:
            if o.state == "blocked" and o.error == "forbidden":
                await members.mark_unreachable(db, o.member_id, now)
    if again:
        # A row handed back after its broadcast was cancelled must not run again.
        applied += await _many(
            db,
            """UPDATE outbox SET
                   state = CASE WHEN (SELECT b.state FROM broadcasts b
                                      WHERE b.id = outbox.broadcast_id) = 'cancelled'
                                THEN 'cancelled' ELSE 'pending' END,
                   due_at = ?, attempts = ?, parts_sent = ?,
                   message_id = COALESCE(?, message_id), chat_id = COALESCE(?, chat_id),
                   error = ?, detail = ?, lease_owner = NULL, lease_until = NULL
               WHERE id = ? AND lease_owner = ? AND state = 'sending'""",
            [
                (
                    o.due_at,
                    o.attempts,
                    o.parts_sent,
                    o.message_id,
                    o.chat_id,
                    o.error,
                    o.detail,
                    o.row_id,
                    owner,
                )
                for o in again
            ],
        )
    return applied


async def _many(db: Executor, sql: str, rows: list[tuple[Any, ...]]) -> int:
    """executemany, counting changed rows with SQLite's total_changes."""
    before = int(await db.fetchval("SELECT total_changes()"))
    await db.executemany(sql, rows)
    return int(await db.fetchval("SELECT total_changes()")) - before
