"""Points, muted pushes, the opt-in leaderboard, and the per-plan figures reports read."""

from __future__ import annotations

from storage.db import Executor
from storage.rows import changed
from storage.study.model import (
    QuizResult,
)

# --- points, mutes, leaderboard ------------------------------------------------------------


async def award(
    db: Executor, member_id: int, plan_id: int | None, key: str, points: int, now: float
) -> bool:
    """Add points once per key; False when already awarded (or nothing to award)."""
    if points <= 0:
        return False
    return await changed(
        db,
        "INSERT OR IGNORE INTO study_points (member_id, plan_id, key, points, at) "
        "VALUES (?, ?, ?, ?, ?)",
        (member_id, plan_id, key, points, now),
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
