"""Join and unit-change requests that a unit officer approves or rejects."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Executor, Row
from storage.rows import from_row


@dataclass(frozen=True, slots=True)
class JoinRequest:
    """A member asking to join a unit (or to move to another)."""

    id: int
    member_id: int
    unit_id: int
    kind: str
    status: str


def _req(row: Row) -> JoinRequest:
    return from_row(JoinRequest, row)


async def open_request(db: Executor, member_id: int, unit_id: int, kind: str, now: float) -> int:
    """Replace any pending request of the member with a new one; return its id.

    The same request again (a restart of registration) keeps the pending one, so
    the buttons officers were already sent still decide it.
    """
    same = await db.fetchval(
        "SELECT id FROM join_requests WHERE member_id = ? AND status = 'pending' "
        "AND unit_id = ? AND kind = ?",
        (member_id, unit_id, kind),
    )
    if same is not None:
        return int(same)
    await db.execute(
        "UPDATE join_requests SET status = 'cancelled' WHERE member_id = ? AND status = 'pending'",
        (member_id,),
    )
    return await db.insert(
        "INSERT INTO join_requests (member_id, unit_id, kind, created_at) VALUES (?, ?, ?, ?)",
        (member_id, unit_id, kind, now),
    )


async def get(db: Executor, request_id: int) -> JoinRequest | None:
    """One request or None."""
    row = await db.fetchone("SELECT * FROM join_requests WHERE id = ?", (request_id,))
    return _req(row) if row else None


async def pending_for_member(db: Executor, member_id: int) -> JoinRequest | None:
    """The member's pending request, if any."""
    row = await db.fetchone(
        "SELECT * FROM join_requests WHERE member_id = ? AND status = 'pending'", (member_id,)
    )
    return _req(row) if row else None


async def pending_in_units(db: Executor, unit_ids: list[int]) -> list[JoinRequest]:
    """Pending requests for any of the units, oldest first."""
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    rows = await db.fetchall(
        f"SELECT * FROM join_requests WHERE status = 'pending' AND unit_id IN ({marks}) "
        f"ORDER BY created_at",
        list(unit_ids),
    )
    return [_req(r) for r in rows]


async def decide(db: Executor, request_id: int, approved: bool, by: int, now: float) -> bool:
    """Approve or reject a pending request; False if it was no longer pending."""
    status = "approved" if approved else "rejected"
    return (
        await db.execute(
            "UPDATE join_requests SET status = ?, decided_by = ?, decided_at = ? "
            "WHERE id = ? AND status = 'pending'",
            (status, by, now, request_id),
        )
        > 0
    )
