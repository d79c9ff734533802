"""Quiz scoring for study plans."""

from __future__ import annotations

from surveys import is_correct, score
from surveys.quiz import is_scored

from .helpers import load

QUIZ = load(
    """
    id: study_quiz
    title: 学习测验
    questions:
      - id: q1
        type: single
        title: 工会会员大会每年至少召开几次？
        options: [一次, 两次, 三次]
        correct: 1
        explanation: 依据工会章程，每年至少召开一次。
      - id: q2
        type: multiple
        title: 以下哪些属于工会的基本职责？
        options:
          - {id: a, label: 维护职工合法权益}
          - {id: b, label: 组织职工文体活动}
          - {id: c, label: 决定企业经营方针}
        correct: [a, b]
      - id: q3
        type: yes_no
        title: 职工代表大会是职工行使民主管理权力的机构。
        correct: true
      - {id: q4, type: text, title: 学习心得, required: false}
    """
)


def test_score_counts_correct_answers() -> None:
    assert score(QUIZ, {"q1": "1", "q2": ["a", "b"], "q3": True, "q4": "好"}) == (3, 3)
    assert score(QUIZ, {"q1": "2", "q2": ["a"], "q3": True}) == (1, 3)


def test_unanswered_scored_questions_count_as_wrong() -> None:
    assert score(QUIZ, {}) == (0, 3)


def test_is_correct_per_question() -> None:
    q1, q2, q3, q4 = (QUIZ.question(i) for i in ("q1", "q2", "q3", "q4"))
    assert q1 is not None and q2 is not None and q3 is not None and q4 is not None
    assert is_correct(q1, "1") is True
    assert is_correct(q2, ["a", "b", "c"]) is False  # multiple choice must match exactly
    assert is_correct(q3, False) is False
    assert is_correct(q4, "x") is None and not is_scored(q4)


def test_explanation_is_kept() -> None:
    question = QUIZ.question("q1")
    assert (
        question is not None
        and getattr(question, "explanation", None) == "依据工会章程，每年至少召开一次。"
    )
