"""Officer actions on tasks: each checks, changes and writes its audit row in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from storage import audit, outbox, roles
from storage.db import Database, Executor
from storage.tasks import Task, queries
from surveys.tasks import EDITABLE, OWING, Report, Requires, may_submit, missing

Result = Literal["ok", "forbidden", "stale", "late", "incomplete"]
#: Outbox kinds; the engine re-checks reminders just before sending (see handlers/tasks).
KIND_NEW = "task_new"
KIND_NOTICE = "task_notice"
KIND_DECISION = "task_decision"
#: Builds a notice's payload (JSON) once the row it points to has an id.
PayloadFor = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class NewTask:
    """What the creator decided in the wizard."""

    title: str
    body: str
    due_at: float
    requires: Requires
    late_ok: bool
    unit_ids: tuple[int, ...]
    attachment_kind: str | None = None
    attachment_file_id: str | None = None
    repeat: str | None = None
    base_unit_id: int | None = None
    series_id: int | None = None


async def _audit(
    tx: Executor,
    actor: int | None,
    action: str,
    now: float,
    kind: str,
    target: int,
    **details: object,
) -> None:
    """The audit row of an action on a task ("task") or one unit's part of it ("task_unit")."""
    await audit.record(tx, actor, action, now, target_type=kind, target_id=target, details=details)


async def create_task(
    db: Database, actor: int | None, new: NewTask, payload: PayloadFor, now: float
) -> tuple[int, list[int]] | None:
    """Create a task for units in the actor's scope and queue it to each unit's officers.

    Returns (task id, units that have no officer), or None when a unit is out of scope.
    `actor` None is the repeat sweep, acting for the series' creator.
    """
    async with db.transaction() as tx:
        if actor is not None:
            scope = set(await roles.scope_unit_ids(tx, actor))
            if not new.unit_ids or not set(new.unit_ids) <= scope:
                return None
        task_id = await tx.insert(
            """INSERT INTO tasks (title, body, attachment_kind, attachment_file_id, due_at,
                   requires, late_ok, repeat, series_id, base_unit_id, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (new.title, new.body, new.attachment_kind, new.attachment_file_id, new.due_at,
             new.requires.to_json(), int(new.late_ok), new.repeat, new.series_id,
             new.base_unit_id, actor, now),
        )  # fmt: skip
        recipients, nobody = await _assign(tx, task_id, new.unit_ids)
        await outbox.create(
            tx, kind=KIND_NEW, payload=payload(task_id), member_ids=recipients, due_at=now,
            now=now, created_by=actor, ref=str(task_id),
        )  # fmt: skip
        action = "task_create" if new.series_id is None else "task_repeat"
        await _audit(
            tx, actor, action, now, "task", task_id, units=len(new.unit_ids), no_officer=len(nobody)
        )
    return task_id, nobody


async def _assign(
    tx: Executor, task_id: int, unit_ids: Sequence[int]
) -> tuple[list[int], list[int]]:
    """One assignment per unit; returns (officers to tell, units that have no officer)."""
    recipients: list[int] = []
    nobody: list[int] = []
    for unit_id in dict.fromkeys(unit_ids):
        await tx.insert(
            "INSERT INTO task_units (task_id, unit_id) VALUES (?, ?)", (task_id, unit_id)
        )
        officers = await queries.unit_officers(tx, unit_id)
        recipients += officers
        if not officers:
            nobody.append(unit_id)
    return recipients, nobody


async def _unit_action(tx: Executor, actor: int, assignment_id: int) -> Result | None:
    """Refusal for an actor who does not answer for the assignment's unit, else None."""
    found = await queries.assignment(tx, assignment_id)
    task = await queries.task(tx, found.task_id) if found else None
    if found is None or task is None:
        return "stale"
    if not await queries.is_unit_officer(tx, actor, found.unit_id):
        return "forbidden"
    return None if found.state in EDITABLE and task.state == "open" else "stale"


async def receive(db: Database, actor: int, assignment_id: int, now: float) -> Result:
    """Mark a new task 已接收 for the unit."""
    async with db.transaction() as tx:
        refusal = await _unit_action(tx, actor, assignment_id)
        if refusal is not None:
            return refusal
        changed = await tx.execute(
            "UPDATE task_units SET state = 'received', received_at = ? WHERE id = ? "
            "AND state = 'new'",
            (now, assignment_id),
        )
        if changed:
            await _audit(tx, actor, "task_receive", now, "task_unit", assignment_id)
    return "ok"


async def add_to_report(
    db: Database,
    actor: int,
    assignment_id: int,
    now: float,
    *,
    kind: str | None = None,
    content: str = "",
    file_name: str | None = None,
    figures: dict[str, float] | None = None,
) -> Result:
    """Save one message of the draft (a text, photo or file, and/or named numbers) at once."""
    async with db.transaction() as tx:
        refusal = await _unit_action(tx, actor, assignment_id)
        if refusal is not None:
            return refusal
        # Writing a report implies the task was received.
        await tx.execute(
            "UPDATE task_units SET state = 'received', received_at = ? WHERE id = ? "
            "AND state = 'new'",
            (now, assignment_id),
        )
        if kind is not None:
            await tx.insert(
                """INSERT INTO task_report_parts (assignment_id, kind, content, file_name,
                       added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)""",
                (assignment_id, kind, content, file_name, actor, now),
            )
        if figures:
            current = await queries.assignment(tx, assignment_id)
            merged = {**(current.figures if current else {}), **figures}
            await tx.execute(
                "UPDATE task_units SET figures = ? WHERE id = ?",
                (json.dumps(merged, ensure_ascii=False), assignment_id),
            )
    return "ok"


async def clear_draft(db: Database, actor: int, assignment_id: int, now: float) -> Result:
    """Throw away the report's messages and numbers to start again."""
    async with db.transaction() as tx:
        refusal = await _unit_action(tx, actor, assignment_id)
        if refusal is not None:
            return refusal
        await tx.execute("DELETE FROM task_report_parts WHERE assignment_id = ?", (assignment_id,))
        await tx.execute("UPDATE task_units SET figures = '{}' WHERE id = ?", (assignment_id,))
        await _audit(tx, actor, "task_report_clear", now, "task_unit", assignment_id)
    return "ok"


async def report_of(db: Executor, assignment_id: int) -> Report:
    """Counts of the report's parts and its numbers."""
    found = await queries.assignment(db, assignment_id)
    kinds = [p.kind for p in await queries.parts(db, assignment_id)]
    return Report(
        texts=kinds.count("text"),
        photos=kinds.count("photo"),
        files=kinds.count("file"),
        figures=found.figures if found else {},
    )


async def submit(
    db: Database, actor: int, assignment_id: int, payload: PayloadFor, now: float
) -> Result:
    """Submit (or resubmit a corrected) report, and tell the task's creator."""
    async with db.transaction() as tx:
        refusal = await _unit_action(tx, actor, assignment_id)
        if refusal is not None:
            return refusal
        found = await queries.assignment(tx, assignment_id)
        task = await queries.task(tx, found.task_id) if found else None
        if found is None or task is None:
            return "stale"
        if found.state in OWING and not may_submit(task.late_ok, task.due_at, now):
            return "late"
        if missing(task.requires, await report_of(tx, assignment_id)):
            return "incomplete"
        await tx.execute(
            "UPDATE task_units SET state = 'submitted', submitted_at = ?, "
            "received_at = COALESCE(received_at, ?) WHERE id = ?",
            (now, now, assignment_id),
        )
        if task.created_by is not None:
            await _queue(tx, KIND_DECISION, payload(assignment_id), [task.created_by], now, task)
        await _audit(
            tx, actor, "task_report_submit", now, "task_unit", assignment_id, late=now > task.due_at
        )
    return "ok"


async def decide(
    db: Database,
    actor: int,
    assignment_id: int,
    accept: bool,
    comment: str | None,
    payload: PayloadFor,
    now: float,
) -> Result:
    """Accept (✅ 通过) or return (↩ 退回, with a comment) a submitted report; tell the unit."""
    async with db.transaction() as tx:
        found = await queries.assignment(tx, assignment_id)
        task = await queries.task(tx, found.task_id) if found else None
        if found is None or task is None:
            return "stale"
        if not await queries.may_supervise(tx, actor, task):
            return "forbidden"
        if found.state != "submitted":
            return "stale"
        await tx.execute(
            "UPDATE task_units SET state = ?, comment = ?, decided_at = ? WHERE id = ?",
            ("accepted" if accept else "returned", comment, now, assignment_id),
        )
        officers = await queries.unit_officers(tx, found.unit_id)
        await _queue(tx, KIND_DECISION, payload(assignment_id), officers, now, task)
        await _audit(
            tx, actor, "task_accept" if accept else "task_return", now, "task_unit", assignment_id
        )
    return "ok"


async def queue_notice(
    db: Database,
    assignment_id: int,
    notice: str,
    recipients: Sequence[int],
    payload: str,
    now: float,
    actor: int | None = None,
) -> bool:
    """Queue one reminder, overdue notice or escalation once; False when it was queued before."""
    async with db.transaction() as tx:
        if actor is not None:
            found = await queries.assignment(tx, assignment_id)
            task = await queries.task(tx, found.task_id) if found else None
            if task is None or not await queries.may_supervise(tx, actor, task):
                return False
        fresh = await tx.execute(
            "INSERT OR IGNORE INTO task_notices (assignment_id, notice, at) VALUES (?, ?, ?)",
            (assignment_id, notice, now),
        )
        if not fresh:
            return False
        await outbox.create(
            tx, kind=KIND_NOTICE, payload=payload, member_ids=recipients, due_at=now, now=now,
            created_by=actor, ref=str(assignment_id),
        )  # fmt: skip
        await _audit(
            tx,
            actor,
            "task_remind",
            now,
            "task_unit",
            assignment_id,
            notice=notice,
            recipients=len(recipients),
        )
    return True


async def record_export(db: Database, actor: int, task_id: int, what: str, now: float) -> bool:
    """Check the actor may export the task's reports and write the audit row; False if not."""
    async with db.transaction() as tx:
        task = await queries.task(tx, task_id)
        if task is None or not await queries.may_supervise(tx, actor, task):
            return False
        await _audit(tx, actor, "task_export", now, "task", task_id, what=what)
    return True


async def _queue(
    tx: Executor, kind: str, payload: str, members: Sequence[int], now: float, task: Task
) -> None:
    """One outbox broadcast inside the caller's transaction."""
    await outbox.create(
        tx, kind=kind, payload=payload, member_ids=members, due_at=now, now=now,
        ref=str(task.id),
    )  # fmt: skip


async def close_task(db: Database, actor: int, task_id: int, now: float) -> Result:
    """End a task: no more reminders, reports or repeats (audited); stale when already ended."""
    async with db.transaction() as tx:
        task = await queries.task(tx, task_id)
        if task is None or task.state != "open":
            return "stale"
        if not await queries.may_supervise(tx, actor, task):
            return "forbidden"
        await tx.execute("UPDATE tasks SET state = 'closed' WHERE id = ?", (task_id,))
        await _audit(tx, actor, "task_close", now, "task", task_id)
    return "ok"
