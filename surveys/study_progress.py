"""Study points and completion: the pure rules behind streaks, quiz points and unit boards."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

# --- points -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PointsRules:
    """How many points each study action earns (configurable in the settings)."""

    read: int = 1
    quiz_perfect: int = 2
    quiz_partial: int = 1
    streak_days: int = 5
    streak_bonus: int = 3


def quiz_points(correct: int, total: int, rules: PointsRules) -> int:
    """Points for a finished quiz: all right, or taken with mistakes."""
    if total <= 0:
        return 0
    return rules.quiz_perfect if correct >= total else rules.quiz_partial


def streak_points(streak_length: int, first_today: bool, rules: PointsRules) -> int:
    """The bonus when today's first study completes a streak of streak_days (or 2x, 3x, …)."""
    if not first_today or rules.streak_days <= 0 or streak_length <= 0:
        return 0
    return rules.streak_bonus if streak_length % rules.streak_days == 0 else 0


def completion(done: int, released: int) -> float:
    """Share of released lessons done, 0..1 (1 when nothing is released yet)."""
    return 1.0 if released <= 0 else min(1.0, done / released)


def behind(done: int, released: int) -> int:
    """How many released lessons are not done yet."""
    return max(0, released - done)


# --- completion ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberProgress:
    """One member's standing in a plan."""

    member_id: int
    unit_id: int | None
    read: int
    quizzes: int
    correct: int
    total: int

    @property
    def score(self) -> float | None:
        """Share of right answers over finished quizzes, None before any."""
        return self.correct / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Completion:
    """Completion of a group (a unit, or a lesson) of a plan."""

    key: int | None
    members: int
    completion: float  # average share of released lessons studied (a lesson: share of members)
    quizzes_taken: int
    quizzes_possible: int
    average_score: float | None  # mean share of right answers over finished quizzes


def progress(
    members: Sequence[tuple[int, int | None]],
    released: Set[int],
    reads: Iterable[tuple[int, int]],
    quizzes: Iterable[tuple[int, int, int, int]],
) -> dict[int, MemberProgress]:
    """Per member: released lessons read, quizzes finished and answers right.

    ``members`` are (member id, unit id); ``reads`` (member, lesson); ``quizzes``
    (member, lesson, correct, total). Only released lessons and current members count.
    """
    read: dict[int, int] = {}
    for member_id, lesson_id in reads:
        if lesson_id in released:
            read[member_id] = read.get(member_id, 0) + 1
    taken: dict[int, tuple[int, int, int]] = {}
    for member_id, lesson_id, correct, total in quizzes:
        if lesson_id in released:
            n, c, t = taken.get(member_id, (0, 0, 0))
            taken[member_id] = (n + 1, c + correct, t + total)
    out: dict[int, MemberProgress] = {}
    for member_id, unit_id in members:
        n, c, t = taken.get(member_id, (0, 0, 0))
        out[member_id] = MemberProgress(member_id, unit_id, read.get(member_id, 0), n, c, t)
    return out


def by_unit(
    standing: Mapping[int, MemberProgress], released: int, quiz_lessons: int
) -> list[Completion]:
    """Completion per unit, best first; units are the members' own units."""
    groups: dict[int | None, list[MemberProgress]] = {}
    for member in standing.values():
        groups.setdefault(member.unit_id, []).append(member)
    rows = [_summary(unit, people, released, quiz_lessons) for unit, people in groups.items()]
    return sorted(rows, key=lambda r: (-r.completion, -r.members, r.key or 0))


def _summary(
    key: int | None, people: Sequence[MemberProgress], released: int, quiz_lessons: int
) -> Completion:
    scores = [p.correct / p.total for p in people if p.total]
    return Completion(
        key=key,
        members=len(people),
        completion=sum(completion(p.read, released) for p in people) / len(people),
        quizzes_taken=sum(p.quizzes for p in people),
        quizzes_possible=quiz_lessons * len(people),
        average_score=sum(scores) / len(scores) if scores else None,
    )


def by_lesson(
    lesson_ids: Sequence[int],
    members: Set[int],
    reads: Iterable[tuple[int, int]],
    quizzes: Iterable[tuple[int, int, int, int]],
) -> dict[int, Completion]:
    """Per lesson: share of the audience who studied it, quizzes taken, average score."""
    wanted = set(lesson_ids)
    readers: dict[int, int] = {}
    for member_id, lesson_id in reads:
        if lesson_id in wanted and member_id in members:
            readers[lesson_id] = readers.get(lesson_id, 0) + 1
    taken: dict[int, list[float]] = {}
    for member_id, lesson_id, correct, total in quizzes:
        if lesson_id in wanted and member_id in members and total:
            taken.setdefault(lesson_id, []).append(correct / total)
    size = len(members)
    out: dict[int, Completion] = {}
    for lesson_id in lesson_ids:
        scores = taken.get(lesson_id, [])
        out[lesson_id] = Completion(
            key=lesson_id,
            members=size,
            completion=readers.get(lesson_id, 0) / size if size else 0.0,
            quizzes_taken=len(scores),
            quizzes_possible=size,
            average_score=sum(scores) / len(scores) if scores else None,
        )
    return out
