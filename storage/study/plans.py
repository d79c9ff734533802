"""Plans and their lessons: upload, state changes, documents, the release of lessons."""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Executor
from storage.rows import changed
from storage.study.model import (
    NewLesson,
    StudyLesson,
    StudyPlan,
    _lesson,
    _plan,
)

# --- plans ---------------------------------------------------------------------------------


async def create_plan(
    db: Executor,
    *,
    code: str,
    title: str,
    description: str | None,
    schedule: str,
    starts_on: str | None,
    unit_ids: Sequence[int],
    lessons: Sequence[NewLesson],
    created_by: int | None,
    now: float,
) -> int:
    """Insert a draft plan with its audience and lessons; no units means everyone."""
    plan_id = await db.insert(
        """INSERT INTO study_plans (code, title, description, schedule, starts_on, everyone,
                                    created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (code, title, description, schedule, starts_on, 0 if unit_ids else 1, created_by, now),
    )
    await db.executemany(
        "INSERT OR IGNORE INTO study_audience (plan_id, unit_id) VALUES (?, ?)",
        [(plan_id, u) for u in unit_ids],
    )
    await add_lessons(db, plan_id, lessons, now)
    return plan_id


async def delete_draft(db: Executor, code: str) -> bool:
    """Drop a draft with this code (an officer re-uploads a corrected file)."""
    return await changed(db, "DELETE FROM study_plans WHERE code = ? AND state = 'draft'", (code,))


async def get_plan(db: Executor, plan_id: int) -> StudyPlan | None:
    """One plan or None."""
    row = await db.fetchone("SELECT * FROM study_plans WHERE id = ?", (plan_id,))
    return _plan(row) if row else None


async def plan_by_code(db: Executor, code: str) -> StudyPlan | None:
    """The plan with this YAML id, or None."""
    row = await db.fetchone("SELECT * FROM study_plans WHERE code = ?", (code,))
    return _plan(row) if row else None


async def all_plans(db: Executor) -> list[StudyPlan]:
    """Every plan, newest first (officers filter by what they may manage)."""
    return [_plan(r) for r in await db.fetchall("SELECT * FROM study_plans ORDER BY id DESC")]


async def active_plans(db: Executor) -> list[StudyPlan]:
    """Plans whose lessons are being released."""
    rows = await db.fetchall("SELECT * FROM study_plans WHERE state = 'active' ORDER BY id")
    return [_plan(r) for r in rows]


async def audience_units(db: Executor, plan_id: int) -> list[int]:
    """The unit ids a plan names (sub-units not expanded); empty for everyone."""
    rows = await db.fetchall(
        "SELECT unit_id FROM study_audience WHERE plan_id = ? ORDER BY unit_id", (plan_id,)
    )
    return [r[0] for r in rows]


async def start_plan(db: Executor, plan_id: int, anchor: float, now: float) -> bool:
    """Draft to active; the first lesson comes at the first fire time after ``anchor``."""
    return await changed(
        db,
        "UPDATE study_plans SET state = 'active', anchor_at = ?, started_at = ? "
        "WHERE id = ? AND state = 'draft'",
        (anchor, now, plan_id),
    )


async def pause_plan(db: Executor, plan_id: int) -> bool:
    """Active to paused: nothing is released until resumed."""
    return await changed(
        db, "UPDATE study_plans SET state = 'paused' WHERE id = ? AND state = 'active'", (plan_id,)
    )


async def resume_plan(db: Executor, plan_id: int, now: float) -> bool:
    """Paused to active; fire times during the pause are skipped, not made up."""
    return await changed(
        db,
        "UPDATE study_plans SET state = 'active', anchor_at = MAX(IFNULL(anchor_at, 0), ?) "
        "WHERE id = ? AND state = 'paused'",
        (now, plan_id),
    )


async def end_plan(db: Executor, plan_id: int, now: float) -> bool:
    """Active or paused to ended: no more releases or pushes; released lessons stay."""
    return await changed(
        db,
        "UPDATE study_plans SET state = 'ended', ended_at = ? "
        "WHERE id = ? AND state IN ('active', 'paused')",
        (now, plan_id),
    )


# --- lessons -------------------------------------------------------------------------------


async def add_lessons(
    db: Executor, plan_id: int, lessons: Sequence[NewLesson], now: float
) -> list[int]:
    """Append lessons after the last one; return their ids.

    When every earlier lesson is already out, the schedule restarts from now, so the
    fire times that passed while the plan had nothing left are not made up at once.
    """
    last = int(
        await db.fetchval(
            "SELECT IFNULL(MAX(position), 0) FROM study_lessons WHERE plan_id = ?", (plan_id,)
        )
    )
    if await unreleased_count(db, plan_id) == 0:
        await db.execute(
            "UPDATE study_plans SET anchor_at = MAX(anchor_at, ?) "
            "WHERE id = ? AND anchor_at IS NOT NULL",
            (now, plan_id),
        )
    ids: list[int] = []
    for offset, lesson in enumerate(lessons, start=1):
        ids.append(
            await db.insert(
                """INSERT INTO study_lessons (plan_id, position, title, body, link, document, quiz)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    plan_id,
                    last + offset,
                    lesson.title,
                    lesson.body,
                    lesson.link,
                    lesson.document,
                    lesson.quiz,
                ),
            )
        )
    return ids


async def lessons(db: Executor, plan_id: int, *, released_only: bool = False) -> list[StudyLesson]:
    """A plan's lessons in order."""
    extra = " AND released_at IS NOT NULL" if released_only else ""
    rows = await db.fetchall(
        f"SELECT * FROM study_lessons WHERE plan_id = ?{extra} ORDER BY position", (plan_id,)
    )
    return [_lesson(r) for r in rows]


async def get_lesson(db: Executor, lesson_id: int) -> StudyLesson | None:
    """One lesson or None."""
    row = await db.fetchone("SELECT * FROM study_lessons WHERE id = ?", (lesson_id,))
    return _lesson(row) if row else None


async def missing_documents(db: Executor, plan_id: int) -> list[str]:
    """File names the plan's lessons refer to that the officer has not sent yet."""
    rows = await db.fetchall(
        "SELECT DISTINCT document FROM study_lessons WHERE plan_id = ? AND document IS NOT NULL "
        "AND document_file_id IS NULL AND document NOT LIKE 'http%' ORDER BY document",
        (plan_id,),
    )
    return [r[0] for r in rows]


async def attach_document(db: Executor, plan_id: int, name: str, file_id: str) -> int:
    """Store the Telegram file id for every lesson of the plan naming this file."""
    return await db.execute(
        "UPDATE study_lessons SET document_file_id = ? WHERE plan_id = ? AND document = ?",
        (file_id, plan_id, name),
    )


async def unreleased_count(db: Executor, plan_id: int) -> int:
    """Lessons not released yet."""
    return int(
        await db.fetchval(
            "SELECT COUNT(*) FROM study_lessons WHERE plan_id = ? AND released_at IS NULL",
            (plan_id,),
        )
    )


async def release(db: Executor, plan_id: int, fires: Sequence[float]) -> list[StudyLesson]:
    """Release the next lessons, one per fire time, and move the plan's anchor.

    The conditional updates make a release happen once even if two processes race;
    call inside a transaction together with the push it causes.
    """
    out: list[StudyLesson] = []
    pending = await db.fetchall(
        "SELECT id FROM study_lessons WHERE plan_id = ? AND released_at IS NULL "
        "ORDER BY position LIMIT ?",
        (plan_id, len(fires)),
    )
    for row, fire in zip(pending, fires, strict=False):
        changed = await db.execute(
            "UPDATE study_lessons SET released_at = ? WHERE id = ? AND released_at IS NULL",
            (fire, row[0]),
        )
        if changed:
            lesson = await get_lesson(db, row[0])
            assert lesson is not None
            out.append(lesson)
    if out:
        await db.execute(
            "UPDATE study_plans SET anchor_at = ? WHERE id = ?", (out[-1].released_at, plan_id)
        )
    return out


async def claim_push(db: Executor, lesson_id: int, plan_id: int, now: float) -> bool:
    """Record that this lesson is pushed; False when someone already did."""
    return await changed(
        db,
        "INSERT OR IGNORE INTO study_pushes (lesson_id, plan_id, created_at) VALUES (?, ?, ?)",
        (lesson_id, plan_id, now),
    )


async def set_push_broadcast(db: Executor, lesson_id: int, broadcast_id: int) -> None:
    """Link a push to its outbox broadcast."""
    await db.execute(
        "UPDATE study_pushes SET broadcast_id = ? WHERE lesson_id = ?", (broadcast_id, lesson_id)
    )


async def push_count(db: Executor, plan_id: int) -> int:
    """How many lessons of the plan have been pushed."""
    return int(await db.fetchval("SELECT COUNT(*) FROM study_pushes WHERE plan_id = ?", (plan_id,)))
