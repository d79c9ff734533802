"""Study plans: plans, lessons and their release, reads, quizzes, points, mutes, leaderboard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Executor, Row

#: Plan states members can see (a draft is only the uploading officer's preview).
VISIBLE = ("active", "paused", "ended")

# Units in a plan's audience, sub-units included (named parameter :plan).
_AUDIENCE_UNITS = """
    WITH RECURSIVE aud(id) AS (
        SELECT unit_id FROM study_audience WHERE plan_id = :plan
        UNION SELECT u.id FROM units u JOIN aud ON u.parent_id = aud.id)
"""
# Verified members a plan reaches (named parameter :plan), after _AUDIENCE_UNITS.
_AUDIENCE_MEMBERS = """
    SELECT m.id, m.name, m.unit_id FROM members m
    WHERE m.status = 'verified'
      AND ((SELECT everyone FROM study_plans WHERE id = :plan) = 1
           OR m.unit_id IN (SELECT id FROM aud))
"""
# The member's unit and its ancestors (named parameter :member).
_MEMBER_UNITS = """
    WITH RECURSIVE up(id) AS (
        SELECT unit_id FROM members WHERE id = :member AND unit_id IS NOT NULL
        UNION SELECT u.parent_id FROM units u JOIN up ON u.id = up.id
        WHERE u.parent_id IS NOT NULL)
"""
# Plan p is visible to the member: not a draft, and everyone or a unit of theirs is named.
_VISIBLE_TO_MEMBER = """
    p.state IN ('active', 'paused', 'ended')
    AND (SELECT status FROM members WHERE id = :member) = 'verified'
    AND (p.everyone = 1 OR EXISTS (
        SELECT 1 FROM study_audience a
        WHERE a.plan_id = p.id AND a.unit_id IN (SELECT id FROM up)))
"""


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """A plan as stored."""

    id: int
    code: str
    title: str
    description: str | None
    schedule: str
    starts_on: str | None
    everyone: bool
    state: str
    anchor_at: float | None
    created_by: int | None
    created_at: float
    started_at: float | None
    ended_at: float | None


@dataclass(frozen=True, slots=True)
class NewLesson:
    """A lesson to store; quiz is the JSON of a survey definition."""

    title: str
    body: str
    link: str | None = None
    document: str | None = None
    quiz: str | None = None


@dataclass(frozen=True, slots=True)
class StudyLesson:
    """A lesson as stored."""

    id: int
    plan_id: int
    position: int
    title: str
    body: str
    link: str | None
    document: str | None
    document_file_id: str | None
    quiz: str | None
    released_at: float | None


@dataclass(frozen=True, slots=True)
class AudienceMember:
    """A member a plan reaches."""

    id: int
    name: str | None
    unit_id: int | None


@dataclass(frozen=True, slots=True)
class QuizState:
    """A member's attempt at one lesson's quiz."""

    started_at: float
    finished_at: float | None
    correct: int | None
    total: int | None


@dataclass(frozen=True, slots=True)
class QuizResult:
    """A finished quiz, for reports."""

    member_id: int
    lesson_id: int
    correct: int
    total: int


def _plan(row: Row) -> StudyPlan:
    return StudyPlan(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        description=row["description"],
        schedule=row["schedule"],
        starts_on=row["starts_on"],
        everyone=bool(row["everyone"]),
        state=row["state"],
        anchor_at=row["anchor_at"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
    )


def _lesson(row: Row) -> StudyLesson:
    return StudyLesson(
        id=row["id"],
        plan_id=row["plan_id"],
        position=row["position"],
        title=row["title"],
        body=row["body"],
        link=row["link"],
        document=row["document"],
        document_file_id=row["document_file_id"],
        quiz=row["quiz"],
        released_at=row["released_at"],
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
    return (
        await db.execute("DELETE FROM study_plans WHERE code = ? AND state = 'draft'", (code,)) > 0
    )


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
    return (
        await db.execute(
            "UPDATE study_plans SET state = 'active', anchor_at = ?, started_at = ? "
            "WHERE id = ? AND state = 'draft'",
            (anchor, now, plan_id),
        )
        > 0
    )


async def pause_plan(db: Executor, plan_id: int) -> bool:
    """Active to paused: nothing is released until resumed."""
    return (
        await db.execute(
            "UPDATE study_plans SET state = 'paused' WHERE id = ? AND state = 'active'", (plan_id,)
        )
        > 0
    )


async def resume_plan(db: Executor, plan_id: int, now: float) -> bool:
    """Paused to active; fire times during the pause are skipped, not made up."""
    return (
        await db.execute(
            "UPDATE study_plans SET state = 'active', anchor_at = MAX(IFNULL(anchor_at, 0), ?) "
            "WHERE id = ? AND state = 'paused'",
            (now, plan_id),
        )
        > 0
    )


async def end_plan(db: Executor, plan_id: int, now: float) -> bool:
    """Active or paused to ended: no more releases or pushes; released lessons stay."""
    return (
        await db.execute(
            "UPDATE study_plans SET state = 'ended', ended_at = ? "
            "WHERE id = ? AND state IN ('active', 'paused')",
            (now, plan_id),
        )
        > 0
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
    return (
        await db.execute(
            "INSERT OR IGNORE INTO study_pushes (lesson_id, plan_id, created_at) VALUES (?, ?, ?)",
            (lesson_id, plan_id, now),
        )
        > 0
    )


async def set_push_broadcast(db: Executor, lesson_id: int, broadcast_id: int) -> None:
    """Link a push to its outbox broadcast."""
    await db.execute(
        "UPDATE study_pushes SET broadcast_id = ? WHERE lesson_id = ?", (broadcast_id, lesson_id)
    )


async def push_count(db: Executor, plan_id: int) -> int:
    """How many lessons of the plan have been pushed."""
    return int(await db.fetchval("SELECT COUNT(*) FROM study_pushes WHERE plan_id = ?", (plan_id,)))


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
    return (
        await db.execute(
            "INSERT OR IGNORE INTO study_reads (member_id, lesson_id, plan_id, read_at, day) "
            "VALUES (?, ?, ?, ?, ?)",
            (member_id, lesson.id, lesson.plan_id, now, day),
        )
        > 0
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
    return (
        await db.execute(
            "INSERT OR IGNORE INTO study_answers "
            "(member_id, lesson_id, question_id, answer, correct, answered_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (member_id, lesson_id, question_id, answer, int(correct), now),
        )
        > 0
    )


async def finish_quiz(
    db: Executor, member_id: int, lesson_id: int, correct: int, total: int, now: float
) -> bool:
    """Close the attempt with its score; False when it was closed already."""
    return (
        await db.execute(
            "UPDATE study_quizzes SET finished_at = ?, correct = ?, total = ? "
            "WHERE member_id = ? AND lesson_id = ? AND finished_at IS NULL",
            (now, correct, total, member_id, lesson_id),
        )
        > 0
    )


# --- points, mutes, leaderboard ------------------------------------------------------------


async def award(
    db: Executor, member_id: int, plan_id: int | None, key: str, points: int, now: float
) -> bool:
    """Add points once per key; False when already awarded (or nothing to award)."""
    if points <= 0:
        return False
    return (
        await db.execute(
            "INSERT OR IGNORE INTO study_points (member_id, plan_id, key, points, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (member_id, plan_id, key, points, now),
        )
        > 0
    )


async def points_total(db: Executor, member_id: int) -> int:
    """All points a member earned."""
    return int(
        await db.fetchval(
            "SELECT IFNULL(SUM(points), 0) FROM study_points WHERE member_id = ?", (member_id,)
        )
    )


async def set_muted(db: Executor, member_id: int, plan_id: int, muted: bool, now: float) -> None:
    """Stop or restart pushes of one plan for one member."""
    if muted:
        await db.execute(
            "INSERT OR IGNORE INTO study_mutes (member_id, plan_id, muted_at) VALUES (?, ?, ?)",
            (member_id, plan_id, now),
        )
    else:
        await db.execute(
            "DELETE FROM study_mutes WHERE member_id = ? AND plan_id = ?", (member_id, plan_id)
        )


async def is_muted(db: Executor, member_id: int, plan_id: int) -> bool:
    """Whether the member muted the plan's pushes."""
    return bool(
        await db.fetchval(
            "SELECT 1 FROM study_mutes WHERE member_id = ? AND plan_id = ?", (member_id, plan_id)
        )
    )


async def muted_members(db: Executor, plan_id: int) -> set[int]:
    """Members who muted the plan's pushes."""
    rows = await db.fetchall("SELECT member_id FROM study_mutes WHERE plan_id = ?", (plan_id,))
    return {r[0] for r in rows}


async def set_on_board(db: Executor, member_id: int, on: bool, now: float) -> None:
    """Opt in to (or out of) the individual leaderboard."""
    if on:
        await db.execute(
            "INSERT OR IGNORE INTO study_board (member_id, joined_at) VALUES (?, ?)",
            (member_id, now),
        )
    else:
        await db.execute("DELETE FROM study_board WHERE member_id = ?", (member_id,))


async def on_board(db: Executor, member_id: int) -> bool:
    """Whether the member opted in to the individual leaderboard."""
    return bool(await db.fetchval("SELECT 1 FROM study_board WHERE member_id = ?", (member_id,)))


async def board(db: Executor, plan_id: int, limit: int = 10) -> list[tuple[int, str, int]]:
    """(member id, name, points in the plan) of opted-in members, best first."""
    rows = await db.fetchall(
        "SELECT m.id, IFNULL(m.name, ''), SUM(p.points) AS total FROM study_points p "
        "JOIN study_board b ON b.member_id = p.member_id JOIN members m ON m.id = p.member_id "
        "WHERE p.plan_id = ? AND m.status = 'verified' "
        "GROUP BY m.id ORDER BY total DESC, MIN(p.at), m.id LIMIT ?",
        (plan_id, limit),
    )
    return [(r[0], r[1], int(r[2])) for r in rows]


# --- reports -------------------------------------------------------------------------------


async def plan_reads(db: Executor, plan_id: int) -> list[tuple[int, int]]:
    """(member id, lesson id) of every read in a plan."""
    rows = await db.fetchall(
        "SELECT member_id, lesson_id FROM study_reads WHERE plan_id = ?", (plan_id,)
    )
    return [(r[0], r[1]) for r in rows]


async def plan_quizzes(db: Executor, plan_id: int) -> list[QuizResult]:
    """Every finished quiz in a plan."""
    rows = await db.fetchall(
        "SELECT member_id, lesson_id, correct, total FROM study_quizzes "
        "WHERE plan_id = ? AND finished_at IS NOT NULL",
        (plan_id,),
    )
    return [QuizResult(r[0], r[1], r[2], r[3]) for r in rows]


async def member_quiz_totals(db: Executor, member_id: int) -> tuple[int, int, int]:
    """(quizzes finished, right answers, questions) over all the member's plans."""
    row = await db.fetchone(
        "SELECT COUNT(*), IFNULL(SUM(correct), 0), IFNULL(SUM(total), 0) FROM study_quizzes "
        "WHERE member_id = ? AND finished_at IS NOT NULL",
        (member_id,),
    )
    return (0, 0, 0) if row is None else (int(row[0]), int(row[1]), int(row[2]))
