"""Union units: a tree of company union, branch unions and groups."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Executor, Row


@dataclass(frozen=True, slots=True)
class Unit:
    """One node of the union tree."""

    id: int
    name: str
    parent_id: int | None
    reply_deadline_days: int


class UnitMoveError(ValueError):
    """A move would put a unit under itself or one of its descendants."""


def _unit(row: Row) -> Unit:
    return Unit(row["id"], row["name"], row["parent_id"], row["reply_deadline_days"])


async def create(db: Executor, name: str, parent_id: int | None, now: float) -> Unit:
    """Insert a unit under parent_id (None for a root)."""
    unit_id = await db.insert(
        "INSERT INTO units (name, parent_id, created_at) VALUES (?, ?, ?)", (name, parent_id, now)
    )
    return Unit(unit_id, name, parent_id, 7)


async def get(db: Executor, unit_id: int) -> Unit | None:
    """Return one unit or None."""
    row = await db.fetchone("SELECT * FROM units WHERE id = ?", (unit_id,))
    return _unit(row) if row else None


async def all_units(db: Executor) -> list[Unit]:
    """Every unit, ordered by name within id for a stable tree."""
    return [_unit(r) for r in await db.fetchall("SELECT * FROM units ORDER BY id")]


async def children(db: Executor, parent_id: int | None) -> list[Unit]:
    """Direct children of a unit, or the roots when parent_id is None."""
    rows = await db.fetchall(
        "SELECT * FROM units WHERE parent_id IS ? ORDER BY name, id", (parent_id,)
    )
    return [_unit(r) for r in rows]


async def rename(db: Executor, unit_id: int, name: str) -> bool:
    """Rename; False when the unit does not exist."""
    return await db.execute("UPDATE units SET name = ? WHERE id = ?", (name, unit_id)) > 0


async def subtree_ids(db: Executor, unit_id: int) -> list[int]:
    """The unit and all its descendants."""
    rows = await db.fetchall(
        """WITH RECURSIVE sub(id) AS (
               SELECT id FROM units WHERE id = ?
               UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
           SELECT id FROM sub""",
        (unit_id,),
    )
    return [r[0] for r in rows]


async def ancestor_ids(db: Executor, unit_id: int) -> list[int]:
    """The unit and its ancestors, nearest first."""
    rows = await db.fetchall(
        """WITH RECURSIVE up(id, parent_id, depth) AS (
               SELECT id, parent_id, 0 FROM units WHERE id = ?
               UNION ALL SELECT u.id, u.parent_id, up.depth + 1
               FROM units u JOIN up ON u.id = up.parent_id)
           SELECT id FROM up ORDER BY depth""",
        (unit_id,),
    )
    return [r[0] for r in rows]


async def path_names(db: Executor, unit_id: int) -> list[str]:
    """Names from the root down to the unit, for breadcrumbs."""
    names: list[str] = []
    for uid in reversed(await ancestor_ids(db, unit_id)):
        unit = await get(db, uid)
        if unit:
            names.append(unit.name)
    return names


async def move(db: Executor, unit_id: int, new_parent_id: int | None) -> None:
    """Re-parent a unit; refuse cycles."""
    if new_parent_id is not None and new_parent_id in await subtree_ids(db, unit_id):
        raise UnitMoveError("a unit cannot move under itself or its own sub-unit")
    await db.execute("UPDATE units SET parent_id = ? WHERE id = ?", (new_parent_id, unit_id))


async def set_reply_deadline(db: Executor, unit_id: int, days: int) -> None:
    """Change how many days officers of this unit have to answer a suggestion."""
    await db.execute("UPDATE units SET reply_deadline_days = ? WHERE id = ?", (days, unit_id))
