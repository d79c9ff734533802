"""Invite codes: officer-issued deep links tied to a unit, with expiry and a use limit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

from storage.db import Executor
from storage.rows import from_row


class InviteProblem(Enum):
    """Why an invite code cannot be used."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"


@dataclass(frozen=True, slots=True)
class Invite:
    """A usable invite."""

    code: str
    unit_id: int
    expires_at: float
    max_uses: int
    uses: int


async def create(
    db: Executor, unit_id: int, by: int | None, now: float, *, days: int, max_uses: int
) -> Invite:
    """Issue a fresh code; deep-link payloads allow [A-Za-z0-9_-] up to 64 chars."""
    code = "j" + secrets.token_urlsafe(9)
    expires = now + days * 86400
    await db.execute(
        """INSERT INTO invites (code, unit_id, created_by, created_at, expires_at, max_uses)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (code, unit_id, by, now, expires, max_uses),
    )
    return Invite(code, unit_id, expires, max_uses, 0)


async def check(db: Executor, code: str, now: float) -> Invite | InviteProblem:
    """Tell whether a code can be used now, without using it."""
    row = await db.fetchone("SELECT * FROM invites WHERE code = ? AND revoked = 0", (code,))
    if row is None:
        return InviteProblem.UNKNOWN
    if row["expires_at"] <= now:
        return InviteProblem.EXPIRED
    if row["uses"] >= row["max_uses"]:
        return InviteProblem.USED_UP
    return from_row(Invite, row)


async def redeem(db: Executor, code: str, now: float) -> Invite | InviteProblem:
    """Use one slot of the code atomically (the UPDATE re-checks the limits)."""
    status = await check(db, code, now)
    if isinstance(status, InviteProblem):
        return status
    changed = await db.execute(
        "UPDATE invites SET uses = uses + 1 WHERE code = ? AND uses < max_uses AND expires_at > ?",
        (code, now),
    )
    return status if changed else InviteProblem.USED_UP


async def for_units(db: Executor, unit_ids: list[int], now: float) -> list[Invite]:
    """Live invites of the given units, newest first."""
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    rows = await db.fetchall(
        f"SELECT * FROM invites WHERE unit_id IN ({marks}) AND revoked = 0 AND expires_at > ? "
        f"AND uses < max_uses ORDER BY created_at DESC",
        [*unit_ids, now],
    )
    return [from_row(Invite, r) for r in rows]


async def revoke(db: Executor, code: str) -> bool:
    """Disable a code."""
    return await db.execute("UPDATE invites SET revoked = 1 WHERE code = ?", (code,)) > 0
