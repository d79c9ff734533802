"""Which questions a set of answers reaches, following show_if and end_if in asking order."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from surveys.conditions import evaluate, references
from surveys.model import Answer, Condition, Definition, Question


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


def possible_count(
    definition: Definition, answers: Mapping[str, Answer], skipped: Set[str]
) -> int:
    """How many questions may be asked in all: the reached ones plus those whose condition
    still waits for an unanswered question. So the "3/10" total never grows when a
    conditional question appears; it only shrinks once its condition is decided.
    """
    walked = reach(definition, answers, skipped)
    shown = set(walked.ids)
    if walked.ended_by is not None:
        return len(shown)
    open_ids = {q for q in definition.by_id if q not in answers and q not in skipped}


    def waiting(guards: tuple[Condition, ...]) -> bool:
        return any(c.question in open_ids for g in guards for c in references(g))

    return sum(1 for p in definition.placed if p.question.id in shown or waiting(p.guards))
