"""What a member's study earns: a read with its points and streak, a quiz answer, a release."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from storage import outbox
from storage.db import Database, Executor
from storage.study.model import StudyLesson, StudyPlan
from storage.study.plans import (
    active_plans,
    claim_push,
    release,
    set_push_broadcast,
    unreleased_count,
)
from storage.study.points import award, muted_members
from storage.study.progress import (
    answers,
    audience,
    finish_quiz,
    mark_read,
    release_times,
    save_answer,
    study_days,
)
from surveys import ValidationError
from surveys.schedule import local_day, parse_schedule, streak
from surveys.study_progress import PointsRules, quiz_points, streak_points

log = logging.getLogger(__name__)

#: Builds a push's payload (JSON) for the newest released lesson and how many came before.
PushFor = Callable[[StudyPlan, StudyLesson, int], str]


@dataclass(frozen=True, slots=True)
class Read:
    """A first "I have studied": points for it, the streak bonus, the streak in days."""

    gained: int
    bonus: int
    days: int


@dataclass(frozen=True, slots=True)
class Answered:
    """A stored quiz answer: whether it closed the quiz, the score, the points it earned."""

    finished: bool
    correct: int
    gained: int


async def current_streak(db: Executor, member_id: int, tz: ZoneInfo, now: float) -> int:
    """The member's study streak today (days without a new lesson do not break it)."""
    days = {date.fromisoformat(d) for d in await study_days(db, member_id)}
    lesson_days = {local_day(t, tz) for t in await release_times(db, member_id)}
    return streak(days, lesson_days, local_day(now, tz))


async def read_lesson(
    db: Database,
    member_id: int,
    plan_id: int,
    lesson: StudyLesson,
    rules: PointsRules,
    tz: ZoneInfo,
    now: float,
) -> Read | None:
    """Record the read with its points and streak bonus at once; None when read before."""
    day = local_day(now, tz).isoformat()
    async with db.transaction() as tx:
        first_today = day not in await study_days(tx, member_id)
        if not await mark_read(tx, member_id, lesson, now, day):
            return None
        key = f"read:{lesson.id}"
        gained = rules.read if await award(tx, member_id, plan_id, key, rules.read, now) else 0
        days = await current_streak(tx, member_id, tz, now)
        bonus = streak_points(days, first_today, rules)
        if bonus and not await award(tx, member_id, None, f"streak:{day}", bonus, now):
            bonus = 0
    return Read(gained, bonus, days)


async def answer_quiz(
    db: Database,
    member_id: int,
    plan_id: int,
    lesson_id: int,
    answer: tuple[str, str, bool],
    questions: int,
    rules: PointsRules,
    now: float,
) -> Answered | None:
    """Store (question id, answer JSON, right); the last one closes the quiz with its points.

    None when the question was answered already (a double tap: the first press counted).
    """
    question_id, value, right = answer
    async with db.transaction() as tx:
        if not await save_answer(tx, member_id, lesson_id, question_id, value, right, now):
            return None
        given = await answers(tx, member_id, lesson_id)
        if len(given) < questions:
            return Answered(False, 0, 0)
        correct = sum(ok for _a, ok in given.values())
        finished = await finish_quiz(tx, member_id, lesson_id, correct, questions, now)
        points = quiz_points(correct, questions, rules)
        key = f"quiz:{lesson_id}"
        gained = points if finished and await award(tx, member_id, plan_id, key, points, now) else 0
    return Answered(finished, correct, gained)


async def release_due(
    db: Database, tz: ZoneInfo, now: float, push_for: PushFor, push_kind: str
) -> int:
    """Release every lesson whose time has come and queue one push per plan; how many pushes.

    One transaction (BEGIN IMMEDIATE) covers reading the anchors, releasing, and
    creating the push rows, so a restart or a second process finds nothing left to do.
    """
    pushed = 0
    async with db.transaction() as tx:
        for plan in await active_plans(tx):
            schedule = parse_schedule(plan.schedule, tz)
            if isinstance(schedule, ValidationError):
                log.error("plan %s has an unusable schedule %r", plan.id, plan.schedule)
                continue
            left = await unreleased_count(tx, plan.id)
            fires = schedule.due(plan.anchor_at or now, now, left)
            released = await release(tx, plan.id, fires) if fires else []
            if not released or not await claim_push(tx, released[-1].id, plan.id, now):
                continue
            # After downtime several lessons come out at once; one push (the newest) is enough.
            newest = released[-1]
            muted = await muted_members(tx, plan.id)
            people = [m.id for m in await audience(tx, plan.id) if m.id not in muted]
            broadcast = await outbox.create(
                tx, kind=push_kind, payload=push_for(plan, newest, len(released) - 1),
                member_ids=people, due_at=now, now=now, ref=f"{plan.id}:{newest.id}",
            )  # fmt: skip
            await set_push_broadcast(tx, newest.id, broadcast)
            pushed += 1
            log.info("plan %s: lesson %s released to %s", plan.id, newest.position, len(people))
    return pushed
