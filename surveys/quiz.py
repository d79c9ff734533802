"""Quiz scoring for study plans: choice and yes/no questions that carry a correct answer."""

from __future__ import annotations

from collections.abc import Mapping

from surveys.model import Answer, ChoiceQuestion, Definition, MultipleChoice, Question, YesNo
from surveys.reach import reach
from surveys.values import chosen_options


def is_scored(question: Question) -> bool:
    """Whether the question has a correct answer."""
    if isinstance(question, ChoiceQuestion):
        return bool(question.correct)
    return isinstance(question, YesNo) and question.correct is not None


def is_correct(question: Question, value: Answer | None) -> bool | None:
    """Whether ``value`` is right; None for questions without a correct answer.

    Single choice: any listed correct option counts. Multiple choice: exactly the listed set.
    """
    if not is_scored(question):
        return None
    if value is None:
        return False
    if isinstance(question, YesNo):
        return value is question.correct
    if not isinstance(question, ChoiceQuestion):
        return None
    chosen = set(chosen_options(value))
    if isinstance(question, MultipleChoice):
        return chosen == set(question.correct)
    return len(chosen) == 1 and chosen <= set(question.correct)


def score(definition: Definition, answers: Mapping[str, Answer]) -> tuple[int, int]:
    """(correct, total) over the scored questions the answers reach; unanswered ones are wrong."""
    correct = total = 0
    for question in reach(definition, answers, frozenset()).questions:
        if is_scored(question):
            total += 1
            correct += bool(is_correct(question, answers.get(question.id)))
    return correct, total
