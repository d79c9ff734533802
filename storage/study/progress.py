"""Who a plan reaches, and what members did: reads, study days, quizzes and answers."""

from __future__ import annotations

from storage.db import Executor
from storage.rows import changed
from storage.study.model import (
    _AUDIENCE_MEMBERS,
    _AUDIENCE_UNITS,
    _MEMBER_UNITS,
    _VISIBLE_TO_MEMBER,
    AudienceMember,
    QuizState,
    StudyLesson,
    StudyPlan,
    _plan,
)

# --- audience ------------------------------------------------------------------------------


async def audience(db: Executor, plan_id: int) -> list[AudienceMember]:
    """Verified members the plan reaches now, by name."""
    rows = await db.fetchall(
        _AUDIENCE_UNITS + _AUDIENCE_MEMBERS + " ORDER BY m.name, m.id", {"plan": plan_id}
    )
    return [AudienceMember(r[0], r[1], r[2]) for r in rows]


async def member_plans(db: Executor, member_id: int) -> list[StudyPlan]:
    """Plans a member can study (not drafts), newest first."""
    rows = await db.fetchall(
        _MEMBER_UNITS
        + "SELECT p.* FROM study_plans p WHERE"
        + _VISIBLE_TO_MEMBER
        + "ORDER BY p.id DESC",
        {"member": member_id},
    )
    return [_plan(r) for r in rows]


async def reaches(db: Executor, plan_id: int, member_id: int) -> bool:
    """Whether the plan is visible to the member."""
    row = await db.fetchone(
        _MEMBER_UNITS + "SELECT 1 FROM study_plans p WHERE p.id = :plan AND" + _VISIBLE_TO_MEMBER,
        {"member": member_id, "plan": plan_id},
    )
    return row is not None


async def push_allowed(db: Executor, plan_id: int, member_id: int) -> bool:
    """A push may go out: the plan is active and the member has not muted it."""
    return bool(
        await db.fetchval(
            "SELECT 1 FROM study_plans WHERE id = ? AND state = 'active' AND NOT EXISTS "
            "(SELECT 1 FROM study_mutes WHERE plan_id = ? AND member_id = ?)",
            (plan_id, plan_id, member_id),
        )
    )


# --- reads and quizzes ---------------------------------------------------------------------


async def mark_read(
    db: Executor, member_id: int, lesson: StudyLesson, now: float, day: str
) -> bool:
    """Record "I have studied"; False when it was recorded before."""
    return await changed(
        db,
        "INSERT OR IGNORE INTO study_reads (member_id, lesson_id, plan_id, read_at, day) "
        "VALUES (?, ?, ?, ?, ?)",
        (member_id, lesson.id, lesson.plan_id, now, day),
    )


async def read_ids(db: Executor, member_id: int, plan_id: int | None = None) -> set[int]:
    """Lessons the member marked as studied (in one plan, or all)."""
    if plan_id is None:
        rows = await db.fetchall(
            "SELECT lesson_id FROM study_reads WHERE member_id = ?", (member_id,)
        )
    else:
        rows = await db.fetchall(
            "SELECT lesson_id FROM study_reads WHERE member_id = ? AND plan_id = ?",
            (member_id, plan_id),
        )
    return {r[0] for r in rows}


async def study_days(db: Executor, member_id: int) -> set[str]:
    """Local days on which the member studied at least one lesson."""
    rows = await db.fetchall(
        "SELECT DISTINCT day FROM study_reads WHERE member_id = ?", (member_id,)
    )
    return {r[0] for r in rows}


async def release_times(db: Executor, member_id: int) -> list[float]:
    """When lessons of the member's plans were released (for streaks)."""
    rows = await db.fetchall(
        _MEMBER_UNITS + "SELECT l.released_at FROM study_lessons l "
        "JOIN study_plans p ON p.id = l.plan_id WHERE l.released_at IS NOT NULL AND"
        + _VISIBLE_TO_MEMBER,
        {"member": member_id},
    )
    return [r[0] for r in rows]


async def quiz_state(db: Executor, member_id: int, lesson_id: int) -> QuizState | None:
    """The member's attempt at a lesson's quiz, if started."""
    row = await db.fetchone(
        "SELECT started_at, finished_at, correct, total FROM study_quizzes "
        "WHERE member_id = ? AND lesson_id = ?",
        (member_id, lesson_id),
    )
    return QuizState(row[0], row[1], row[2], row[3]) if row else None


async def finished_quizzes(db: Executor, member_id: int, plan_id: int) -> set[int]:
    """Lessons of a plan whose quiz the member finished."""
    rows = await db.fetchall(
        "SELECT lesson_id FROM study_quizzes WHERE member_id = ? AND plan_id = ? "
        "AND finished_at IS NOT NULL",
        (member_id, plan_id),
    )
    return {r[0] for r in rows}


async def start_quiz(db: Executor, member_id: int, lesson: StudyLesson, now: float) -> None:
    """Open the attempt (idempotent)."""
    await db.execute(
        "INSERT OR IGNORE INTO study_quizzes (member_id, lesson_id, plan_id, started_at) "
        "VALUES (?, ?, ?, ?)",
        (member_id, lesson.id, lesson.plan_id, now),
    )


async def answers(db: Executor, member_id: int, lesson_id: int) -> dict[str, tuple[str, bool]]:
    """question id -> (answer JSON, correct) for one attempt."""
    rows = await db.fetchall(
        "SELECT question_id, answer, correct FROM study_answers "
        "WHERE member_id = ? AND lesson_id = ?",
        (member_id, lesson_id),
    )
    return {r[0]: (r[1], bool(r[2])) for r in rows}


async def save_answer(
    db: Executor,
    member_id: int,
    lesson_id: int,
    question_id: str,
    answer: str,
    correct: bool,
    now: float,
) -> bool:
    """Record an answer once; False when the question was answered already."""
    return await changed(
        db,
        "INSERT OR IGNORE INTO study_answers "
        "(member_id, lesson_id, question_id, answer, correct, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (member_id, lesson_id, question_id, answer, int(correct), now),
    )


async def finish_quiz(
    db: Executor, member_id: int, lesson_id: int, correct: int, total: int, now: float
) -> bool:
    """Close the attempt with its score; False when it was closed already."""
    return await changed(
        db,
        "UPDATE study_quizzes SET finished_at = ?, correct = ?, total = ? "
        "WHERE member_id = ? AND lesson_id = ? AND finished_at IS NULL",
        (now, correct, total, member_id, lesson_id),
    )
