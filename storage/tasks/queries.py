"""Reading tasks: one task, its units, a unit officer's inbox, the board, what the sweep needs."""

from __future__ import annotations

from storage import roles, units
from storage.db import Executor
from storage.tasks import Assignment, Part, Task, assignment_of, task_of
from surveys.tasks import OWING

_ASSIGNMENT = """SELECT a.*, u.name AS unit_name FROM task_units a
                 JOIN units u ON u.id = a.unit_id"""


async def task(db: Executor, task_id: int) -> Task | None:
    """One task, or None."""
    row = await db.fetchone("SELECT * FROM tasks WHERE id = ?", (task_id,))
    return task_of(row) if row is not None else None


async def assignments(db: Executor, task_id: int) -> list[Assignment]:
    """Every unit of a task, by unit name."""
    rows = await db.fetchall(f"{_ASSIGNMENT} WHERE a.task_id = ? ORDER BY u.name, a.id", (task_id,))
    return [assignment_of(r) for r in rows]


async def assignment(db: Executor, assignment_id: int) -> Assignment | None:
    """One unit's assignment, or None."""
    row = await db.fetchone(f"{_ASSIGNMENT} WHERE a.id = ?", (assignment_id,))
    return assignment_of(row) if row is not None else None


async def parts(db: Executor, assignment_id: int) -> list[Part]:
    """The report's messages, in the order they came."""
    rows = await db.fetchall(
        "SELECT * FROM task_report_parts WHERE assignment_id = ? ORDER BY id", (assignment_id,)
    )
    return [Part(r["id"], r["kind"], r["content"], r["file_name"], r["added_at"]) for r in rows]


async def unit_officers(db: Executor, unit_id: int) -> list[int]:
    """Officers of exactly this unit (not of the units above it)."""
    rows = await db.fetchall(
        "SELECT member_id FROM roles WHERE role = 'officer' AND unit_id = ? ORDER BY member_id",
        (unit_id,),
    )
    return [r[0] for r in rows]


async def is_unit_officer(db: Executor, member_id: int, unit_id: int) -> bool:
    """Whether the member answers for this unit's tasks."""
    return member_id in await unit_officers(db, unit_id)


async def escalation_officers(db: Executor, unit_id: int) -> list[int]:
    """Officers of the parent unit (the nearest level above that has any; admins at the top)."""
    unit = await units.get(db, unit_id)
    if unit is None or unit.parent_id is None:
        return await roles.admins(db)
    return await roles.officers_for_unit(db, unit.parent_id)


async def inbox(db: Executor, member_id: int, limit: int = 20) -> list[tuple[Task, Assignment]]:
    """Open tasks of the units the member is officer of, soonest due first."""
    rows = await db.fetchall(
        f"""{_ASSIGNMENT} JOIN tasks t ON t.id = a.task_id
            JOIN roles r ON r.unit_id = a.unit_id AND r.role = 'officer' AND r.member_id = ?
            WHERE t.state = 'open' AND a.state != 'accepted'
            ORDER BY t.due_at, a.id LIMIT ?""",
        (member_id, limit),
    )
    out: list[tuple[Task, Assignment]] = []
    for row in rows:
        found = await task(db, row["task_id"])
        if found is not None:
            out.append((found, assignment_of(row)))
    return out


async def created_or_visible(db: Executor, member_id: int, limit: int = 20) -> list[Task]:
    """Open tasks the member may supervise: created by them, or from a unit in their scope."""
    scope = await roles.scope_unit_ids(db, member_id)
    admin = await roles.is_admin(db, member_id)
    marks = ",".join("?" * len(scope)) or "NULL"
    rows = await db.fetchall(
        f"""SELECT * FROM tasks WHERE state = 'open' AND (created_by = ? OR ? = 1
              OR base_unit_id IN ({marks})) ORDER BY due_at DESC, id DESC LIMIT ?""",
        (member_id, int(admin), *scope, limit),
    )
    return [task_of(r) for r in rows]


async def may_supervise(db: Executor, member_id: int, found: Task) -> bool:
    """The creator, an admin, or an officer of the creating unit or a unit above it."""
    if found.created_by == member_id or await roles.is_admin(db, member_id):
        return True
    return found.base_unit_id is not None and await roles.can_manage(
        db, member_id, found.base_unit_id
    )


async def owing(db: Executor) -> list[tuple[Task, Assignment]]:
    """Assignments of open tasks whose units still owe a report (what the sweep looks at)."""
    marks = ",".join("?" * len(OWING))
    rows = await db.fetchall(
        f"""{_ASSIGNMENT} JOIN tasks t ON t.id = a.task_id
            WHERE t.state = 'open' AND a.state IN ({marks}) ORDER BY t.id, a.id""",
        OWING,
    )
    cache: dict[int, Task] = {}
    out: list[tuple[Task, Assignment]] = []
    for row in rows:
        tid = row["task_id"]
        if tid not in cache:
            found = await task(db, tid)
            if found is None:
                continue
            cache[tid] = found
        out.append((cache[tid], assignment_of(row)))
    return out


async def notices_sent(db: Executor, assignment_id: int) -> list[str]:
    """Notices already queued for an assignment."""
    rows = await db.fetchall(
        "SELECT notice FROM task_notices WHERE assignment_id = ?", (assignment_id,)
    )
    return [r[0] for r in rows]


async def series_heads_due(db: Executor, now: float) -> list[Task]:
    """The latest task of each repeating series whose due time has passed."""
    rows = await db.fetchall(
        """SELECT t.* FROM tasks t
           WHERE t.repeat IS NOT NULL AND t.state = 'open' AND t.due_at <= ?
             AND NOT EXISTS (SELECT 1 FROM tasks n
                             WHERE COALESCE(n.series_id, n.id) = COALESCE(t.series_id, t.id)
                               AND n.id > t.id)""",
        (now,),
    )
    return [task_of(r) for r in rows]
