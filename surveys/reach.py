"""Which questions a set of answers reaches, following show_if and end_if in asking order."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from surveys.conditions import evaluate
from surveys.model import Answer, Definition, Question


@dataclass(frozen=True, slots=True)
class Reach:
    """The questions shown, in order, and whether an end_if stopped the survey early."""

    questions: tuple[Question, ...]
    ended_by: str | None

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the reachable questions, in order."""
        return tuple(q.id for q in self.questions)


def reach(definition: Definition, answers: Mapping[str, Answer], skipped: Set[str]) -> Reach:
    """Walk the survey; answers to questions that are not reached never influence conditions.

    Questions not yet answered or skipped stay in the list (they are still to be asked) but
    their end_if is not evaluated: the survey cannot end on a question nobody answered yet.
    """
    seen_answers: dict[str, Answer] = {}
    seen_skipped: set[str] = set()
    shown: list[Question] = []
    for placed in definition.placed:
        if not all(evaluate(g, seen_answers, seen_skipped) for g in placed.guards):
            continue
        question = placed.question
        shown.append(question)
        if question.id in answers:
            seen_answers[question.id] = answers[question.id]
        elif question.id in skipped:
            seen_skipped.add(question.id)
        else:
            continue
        if question.end_if is not None and evaluate(question.end_if, seen_answers, seen_skipped):
            return Reach(tuple(shown), question.id)
    return Reach(tuple(shown), None)
