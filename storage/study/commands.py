"""Officer actions on study plans: each checks, changes and writes its audit row at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage import audit, dialogs, outbox
from storage.db import Database, Executor
from storage.dialogs import Dialog
from storage.study import (
    AudienceMember,
    NewLesson,
    StudyLesson,
    StudyPlan,
    add_lessons,
    attach_document,
    audience,
    create_plan,
    delete_draft,
    end_plan,
    lessons,
    missing_documents,
    muted_members,
    pause_plan,
    plan_quizzes,
    plan_reads,
    resume_plan,
    start_plan,
)

#: Dialog kind of the officer's uploads (plans, added lessons, documents).
UPLOAD_KIND = "study_upload"
#: Outbox kind of the reminders officers send to members who are behind.
NUDGE_KIND = "study_nudge"
#: Plan state changes an officer can make (the audit names them study_<action>).
CHANGES = ("go", "pause", "resume", "endok", "del")


@dataclass(frozen=True, slots=True)
class NewPlan:
    """A validated plan file, as the upload saves it."""

    code: str
    title: str
    description: str | None
    schedule: str
    starts_on: str | None
    unit_ids: Sequence[int]
    lessons: Sequence[NewLesson]


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """Everything a report or the export needs about one plan, read in one go."""

    people: list[AudienceMember]
    released: list[StudyLesson]
    reads: list[tuple[int, int]]
    #: (member, lesson, correct, total) of finished quizzes.
    quizzes: list[tuple[int, int, int, int]]
    muted: set[int]


async def change_state(
    db: Database, actor: int, plan: StudyPlan, action: str, anchor: float, now: float
) -> bool:
    """Start (documents complete), pause, resume, end or discard a draft; False if not possible."""
    async with db.transaction() as tx:
        if action == "go":
            ready = not await missing_documents(tx, plan.id)
            done = ready and await start_plan(tx, plan.id, anchor, now)
        elif action == "pause":
            done = await pause_plan(tx, plan.id)
        elif action == "resume":
            done = await resume_plan(tx, plan.id, now)
        elif action == "endok":
            done = await end_plan(tx, plan.id, now)
        elif action == "del":
            done = await delete_draft(tx, plan.code)
        else:
            raise ValueError(f"unknown study plan change {action!r}")
        if done:
            await audit.record(
                tx, actor, f"study_{action}", now, target_type="study_plan", target_id=plan.id,
                details={"code": plan.code},
            )  # fmt: skip
    return done


async def upload(db: Database, actor: int, telegram_id: int, plan: NewPlan, now: float) -> int:
    """Save a plan file as a draft (replacing the draft of the same id) and its audit row."""
    async with db.transaction() as tx:
        await delete_draft(tx, plan.code)
        plan_id = await create_plan(
            tx, code=plan.code, title=plan.title, description=plan.description,
            schedule=plan.schedule, starts_on=plan.starts_on, unit_ids=plan.unit_ids,
            lessons=plan.lessons, created_by=actor, now=now,
        )  # fmt: skip
        await audit.record(
            tx, actor, "study_upload", now, target_type="study_plan", target_id=plan_id,
            details={"code": plan.code, "lessons": len(plan.lessons)},
        )  # fmt: skip
        await _next_step(tx, telegram_id, plan_id, now)
    return plan_id


async def add(
    db: Database,
    actor: int,
    telegram_id: int,
    plan_id: int,
    new: Sequence[NewLesson],
    now: float,
) -> list[int]:
    """Append lessons to a plan, with the audit row; returns their ids."""
    async with db.transaction() as tx:
        ids = await add_lessons(tx, plan_id, new, now)
        await audit.record(
            tx, actor, "study_add_lessons", now, target_type="study_plan", target_id=plan_id,
            details={"count": len(ids)},
        )  # fmt: skip
        await _next_step(tx, telegram_id, plan_id, now)
    return ids


async def _next_step(tx: Executor, telegram_id: int, plan_id: int, now: float) -> None:
    """Documents still to send ("docs"), or nothing ("done"); the plan's screen is owed.

    The dialog closes only once the plan's screen was sent (`plan_shown`): a crash in
    between leaves it for the next start, or the officer's next message, to draw.
    """
    step = "docs" if await missing_documents(tx, plan_id) else "done"
    await dialogs.save(
        tx, telegram_id, Dialog(UPLOAD_KIND, step, {"plan_id": plan_id, "unshown": True}), now
    )


async def plan_shown(db: Database, telegram_id: int, now: float) -> None:
    """The plan's screen was sent: close a finished upload, or keep waiting for documents."""
    async with db.transaction() as tx:
        dialog = await dialogs.get(tx, telegram_id)
        if dialog is None or dialog.kind != UPLOAD_KIND or not dialog.data.get("unshown"):
            return
        if dialog.step == "done":
            await dialogs.clear(tx, telegram_id)
        else:
            dialog.data.pop("unshown")
            await dialogs.save(tx, telegram_id, dialog, now)


async def unshown(db: Executor, since: float) -> list[tuple[int, int]]:
    """(telegram id, plan id) of uploads since `since` whose plan screen was never sent."""
    rows = await db.fetchall(
        """SELECT telegram_id, json_extract(data, '$.plan_id') FROM dialogs
           WHERE kind = ? AND updated_at >= ? AND json_extract(data, '$.unshown') = 1
           ORDER BY updated_at""",
        (UPLOAD_KIND, since),
    )
    return [(r[0], int(r[1])) for r in rows]


async def attach(
    db: Database, actor: int, telegram_id: int, plan_id: int, name: str, file_id: str, now: float
) -> tuple[bool, list[str]]:
    """Attach a document a lesson names; (attached, documents still missing)."""
    async with db.transaction() as tx:
        missing = await missing_documents(tx, plan_id)
        attached = name in missing
        if attached:
            await attach_document(tx, plan_id, name, file_id)
            await audit.record(
                tx, actor, "study_document", now, target_type="study_plan", target_id=plan_id,
                details={"file": name},
            )  # fmt: skip
            missing.remove(name)
            await _next_step(tx, telegram_id, plan_id, now)
    return attached, missing


async def nudge(
    db: Database,
    actor: int,
    plan_id: int,
    payload: str,
    member_ids: Sequence[int],
    at_least: int,
    now: float,
) -> int:
    """Queue a reminder to members behind by `at_least` lessons, with its audit row."""
    async with db.transaction() as tx:
        broadcast = await outbox.create(
            tx, kind=NUDGE_KIND, payload=payload, member_ids=member_ids, due_at=now, now=now,
            created_by=actor, ref=str(plan_id),
        )  # fmt: skip
        await audit.record(
            tx, actor, "study_nudge", now, target_type="study_plan", target_id=plan_id,
            details={"behind": at_least, "count": len(member_ids)},
        )  # fmt: skip
    return broadcast


async def record_of(db: Executor, plan_id: int) -> PlanRecord:
    """A plan's audience, released lessons, reads, finished quizzes and mutes."""
    return PlanRecord(
        people=await audience(db, plan_id),
        released=await lessons(db, plan_id, released_only=True),
        reads=await plan_reads(db, plan_id),
        quizzes=[
            (q.member_id, q.lesson_id, q.correct, q.total) for q in await plan_quizzes(db, plan_id)
        ],
        muted=await muted_members(db, plan_id),
    )


async def export(db: Database, actor: int, plan_id: int, now: float) -> PlanRecord:
    """The plan's record for the Excel export, read together with the export's audit row."""
    async with db.transaction() as tx:
        found = await record_of(tx, plan_id)
        await audit.record(
            tx, actor, "study_export", now, target_type="study_plan", target_id=plan_id,
            details={"rows": len(found.people)},
        )  # fmt: skip
    return found
