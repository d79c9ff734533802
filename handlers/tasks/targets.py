"""Which units a task goes to: all below the creator's units, one level down, or chosen ones."""

from __future__ import annotations

from typing import Any

from storage import roles, units
from storage.db import Executor

ALL, LEVEL, CHOSEN = 0, 1, 2


async def scope(db: Executor, member_id: int) -> list[int]:
    """Every unit the member may give tasks to."""
    return await roles.scope_unit_ids(db, member_id)


async def roots(db: Executor, member_id: int) -> list[int]:
    """The units the creator stands for: their officer units, or the top units for an admin."""
    if await roles.is_admin(db, member_id):
        return [u.id for u in await units.children(db, None)]
    return await roles.officer_units(db, member_id)


async def base(db: Executor, member_id: int) -> int | None:
    """The unit a task is created from (None for an admin): officers above it may supervise."""
    if await roles.is_admin(db, member_id):
        return None
    mine = await roles.officer_units(db, member_id)
    return mine[0] if mine else None


async def resolve(db: Executor, member_id: int, data: dict[str, Any]) -> list[int]:
    """The target unit ids the wizard's choices mean, always inside the creator's scope."""
    allowed = await scope(db, member_id)
    top = await roots(db, member_id)
    mode = int(data.get("mode", ALL))
    if mode == CHOSEN:
        wanted = {int(u) for u in data.get("units") or ()}
    elif mode == LEVEL:
        wanted = {c.id for r in top for c in await units.children(db, r)}
    else:
        wanted = set(allowed) - set(top)
    return [u for u in allowed if u in wanted]
