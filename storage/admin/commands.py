"""Admin actions on units and roles: each checks, changes and audits in one transaction."""

from __future__ import annotations

from storage import audit, dialogs, roles, units
from storage.db import Database, Executor
from storage.dialogs import Dialog

#: A dialog step to store with the change: (telegram id, dialog); the unit id goes in its data.
After = tuple[int, Dialog]


async def _audit_unit(
    tx: Executor, actor: int, action: str, now: float, unit_id: int, **details: object
) -> None:
    """The audit row of an admin's change to one unit."""
    await audit.record(
        tx, actor, action, now, target_type="unit", target_id=unit_id, details=details
    )


async def _then(tx: Executor, after: After | None, unit_id: int, now: float) -> None:
    """Store the dialog step that shows the saved unit, in the change's transaction."""
    if after is not None:
        telegram_id, dialog = after
        dialog.data["unit_id"] = unit_id
        await dialogs.save(tx, telegram_id, dialog, now)


async def create_unit(
    db: Database,
    actor: int,
    name: str,
    parent_id: int | None,
    now: float,
    *,
    after: After | None = None,
) -> int | None:
    """A new unit under parent_id (None: top level); None when the parent is gone."""
    async with db.transaction() as tx:
        if parent_id is not None and await units.get(tx, parent_id) is None:
            return None
        created = await units.create(tx, name, parent_id, now)
        await _audit_unit(tx, actor, "unit_create", now, created.id, name=name, parent_id=parent_id)
        await _then(tx, after, created.id, now)
    return created.id


async def rename_unit(
    db: Database, actor: int, unit_id: int, name: str, now: float, *, after: After | None = None
) -> int | None:
    """Rename a unit; its id, or None when it is gone."""
    async with db.transaction() as tx:
        if not await units.rename(tx, unit_id, name):
            return None
        await _audit_unit(tx, actor, "unit_rename", now, unit_id, name=name)
        await _then(tx, after, unit_id, now)
    return unit_id


async def move_unit(
    db: Database, actor: int, unit_id: int, parent_id: int | None, now: float
) -> bool:
    """Re-parent a unit; False when either unit is gone or the move would make a cycle."""
    async with db.transaction() as tx:
        if await units.get(tx, unit_id) is None:
            return False
        if parent_id is not None:
            if await units.get(tx, parent_id) is None:
                return False
            if parent_id in await units.subtree_ids(tx, unit_id):
                return False
        await units.move(tx, unit_id, parent_id)
        await _audit_unit(tx, actor, "unit_move", now, unit_id, parent_id=parent_id)
    return True


async def set_role(
    db: Database, actor: int, member_id: int, unit_id: int | None, granting: bool, now: float
) -> bool:
    """Grant or revoke officer of unit_id (None: admin); False when nothing changed."""
    role = "admin" if unit_id is None else "officer"
    async with db.transaction() as tx:
        if granting:
            changed = await roles.grant(tx, member_id, role, unit_id, actor, now)
        else:
            changed = await roles.revoke(tx, member_id, role, unit_id)
        if changed:
            await audit.record(
                tx, actor, "role_grant" if granting else "role_revoke", now,
                target_type="member", target_id=member_id,
                details={"role": role, "unit_id": unit_id},
            )  # fmt: skip
    return changed
