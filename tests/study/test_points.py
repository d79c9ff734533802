"""Points rules and completion arithmetic: pure functions."""

from __future__ import annotations

from surveys.study_progress import (
    PointsRules,
    behind,
    by_lesson,
    by_unit,
    completion,
    progress,
    quiz_points,
    streak_points,
)

RULES = PointsRules()


def test_defaults_match_the_issue() -> None:
    assert (RULES.read, RULES.quiz_perfect, RULES.quiz_partial, RULES.streak_days) == (1, 2, 1, 5)


def test_quiz_points_perfect_or_with_mistakes() -> None:
    assert quiz_points(3, 3, RULES) == 2
    assert quiz_points(2, 3, RULES) == 1
    assert quiz_points(0, 3, RULES) == 1  # taking the quiz counts even with every answer wrong
    assert quiz_points(0, 0, RULES) == 0


def test_streak_bonus_on_each_fifth_day_once() -> None:
    assert [streak_points(n, True, RULES) for n in range(1, 11)] == [0, 0, 0, 0, 3, 0, 0, 0, 0, 3]
    assert streak_points(5, False, RULES) == 0  # a second lesson the same day earns no new bonus
    custom = PointsRules(streak_days=3, streak_bonus=10)
    assert streak_points(6, True, custom) == 10


def test_completion_and_behind() -> None:
    assert completion(2, 4) == 0.5
    assert completion(0, 0) == 1.0
    assert completion(5, 4) == 1.0
    assert behind(1, 4) == 3 and behind(5, 4) == 0


def test_progress_by_unit_and_by_lesson() -> None:
    people = [(1, 10), (2, 10), (3, 20), (4, None)]
    released = {100, 101}
    reads = [(1, 100), (1, 101), (2, 100), (3, 100), (3, 999)]  # 999 is not released
    quizzes = [(1, 100, 2, 2), (2, 100, 1, 2), (9, 100, 2, 2)]  # member 9 left the audience
    standing = progress(people, released, reads, quizzes)
    assert standing[1].read == 2 and standing[3].read == 1 and standing[4].read == 0
    assert standing[2].score == 0.5 and standing[4].score is None
    units = {row.key: row for row in by_unit(standing, released=2, quiz_lessons=1)}
    assert units[10].completion == 0.75 and units[10].members == 2
    assert units[10].quizzes_taken == 2 and units[10].quizzes_possible == 2
    assert units[10].average_score == 0.75
    assert units[20].completion == 0.5 and units[None].completion == 0.0
    assert [r.key for r in by_unit(standing, 2, 1)] == [10, 20, None]
    lessons = by_lesson([100, 101], {1, 2, 3, 4}, reads, quizzes)
    assert lessons[100].completion == 0.75 and lessons[101].completion == 0.25
    assert lessons[100].quizzes_taken == 2 and lessons[100].average_score == 0.75
    assert lessons[101].average_score is None
