"""Roles: admins (global) and officers scoped to a unit and its sub-units."""

from __future__ import annotations

from dataclasses import dataclass

from storage import units
from storage.db import Executor


@dataclass(frozen=True, slots=True)
class Grant:
    """One role a member holds; unit_id is None for admin."""

    member_id: int
    role: str
    unit_id: int | None


async def grant(
    db: Executor, member_id: int, role: str, unit_id: int | None, by: int | None, now: float
) -> bool:
    """Give a role; False when the member already had it."""
    changed = await db.execute(
        """INSERT OR IGNORE INTO roles (member_id, role, unit_id, granted_by, granted_at)
           VALUES (?, ?, ?, ?, ?)""",
        (member_id, role, unit_id, by, now),
    )
    return changed > 0


async def revoke(db: Executor, member_id: int, role: str, unit_id: int | None) -> bool:
    """Take a role away; False when the member did not have it."""
    return (
        await db.execute(
            "DELETE FROM roles WHERE member_id = ? AND role = ? AND unit_id IS ?",
            (member_id, role, unit_id),
        )
        > 0
    )


async def of_member(db: Executor, member_id: int) -> list[Grant]:
    """Every role a member holds."""
    rows = await db.fetchall(
        "SELECT member_id, role, unit_id FROM roles WHERE member_id = ? ORDER BY role, unit_id",
        (member_id,),
    )
    return [Grant(r[0], r[1], r[2]) for r in rows]


async def is_admin(db: Executor, member_id: int) -> bool:
    """Whether the member holds the global admin role."""
    return bool(
        await db.fetchval(
            "SELECT 1 FROM roles WHERE member_id = ? AND role = 'admin'", (member_id,)
        )
    )


async def officer_units(db: Executor, member_id: int) -> list[int]:
    """Units a member is officer of (the roots of their scope)."""
    rows = await db.fetchall(
        "SELECT unit_id FROM roles WHERE member_id = ? AND role = 'officer' ORDER BY unit_id",
        (member_id,),
    )
    return [r[0] for r in rows]


async def scope_unit_ids(db: Executor, member_id: int) -> list[int]:
    """Every unit the member may act on: all for admins, else their subtrees."""
    if await is_admin(db, member_id):
        return [r[0] for r in await db.fetchall("SELECT id FROM units ORDER BY id")]
    scope: set[int] = set()
    for root in await officer_units(db, member_id):
        scope.update(await units.subtree_ids(db, root))
    return sorted(scope)


async def can_manage(db: Executor, member_id: int, unit_id: int) -> bool:
    """Admin, or officer of the unit or one of its ancestors."""
    if await is_admin(db, member_id):
        return True
    ancestors = await units.ancestor_ids(db, unit_id)
    if not ancestors:
        return False
    marks = ",".join("?" * len(ancestors))
    return bool(
        await db.fetchval(
            f"SELECT 1 FROM roles WHERE member_id = ? AND role = 'officer' "
            f"AND unit_id IN ({marks})",
            [member_id, *ancestors],
        )
    )


async def officers_for_unit(db: Executor, unit_id: int) -> list[int]:
    """Member ids of the nearest officers responsible for a unit.

    Walks up the tree and stops at the first level that has officers, so a
    request reaches the people closest to the member; admins when nobody does.
    """
    for uid in await units.ancestor_ids(db, unit_id):
        rows = await db.fetchall(
            "SELECT member_id FROM roles WHERE role = 'officer' AND unit_id = ? ORDER BY member_id",
            (uid,),
        )
        if rows:
            return [r[0] for r in rows]
    return await admins(db)


async def admins(db: Executor) -> list[int]:
    """Member ids of all admins."""
    rows = await db.fetchall("SELECT member_id FROM roles WHERE role = 'admin' ORDER BY member_id")
    return [r[0] for r in rows]


async def is_officer_anywhere(db: Executor, member_id: int) -> bool:
    """Whether the member has any officer or admin role (for menus and commands)."""
    return bool(await db.fetchval("SELECT 1 FROM roles WHERE member_id = ?", (member_id,)))


async def all_grants(db: Executor) -> list[Grant]:
    """Every grant: admins first, then officers by unit."""
    rows = await db.fetchall(
        "SELECT member_id, role, unit_id FROM roles ORDER BY role, unit_id, member_id"
    )
    return [Grant(r[0], r[1], r[2]) for r in rows]
