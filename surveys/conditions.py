"""Evaluating show_if / end_if conditions against earlier answers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set

from surveys.model import AllOf, Answer, AnyOf, Compare, Condition, Not, Scalar
from surveys.values import chosen_options


def evaluate(condition: Condition, answers: Mapping[str, Answer], skipped: Set[str]) -> bool:
    """Whether the condition holds; questions neither answered nor skipped compare as false."""
    if isinstance(condition, AllOf):
        return all(evaluate(c, answers, skipped) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, answers, skipped) for c in condition.conditions)
    if isinstance(condition, Not):
        return not evaluate(condition.condition, answers, skipped)
    return _compare(condition, answers, skipped)


def _compare(check: Compare, answers: Mapping[str, Answer], skipped: Set[str]) -> bool:
    op = check.operator
    if op == "answered":
        return (check.question in answers) == bool(check.value)
    if op == "skipped":
        return (check.question in skipped) == bool(check.value)
    if check.question not in answers:
        return False
    value = answers[check.question]
    if op == "equals":
        return _equals(value, check.value)
    if op == "one_of":
        wanted = check.value if isinstance(check.value, tuple) else (check.value,)
        return any(_equals(value, w) for w in wanted)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    limit = check.value
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        return False
    if op == "greater_than":
        return value > limit
    if op == "less_than":
        return value < limit
    if op == "at_least":
        return value >= limit
    return value <= limit  # at_most


def _equals(value: Answer, wanted: Scalar | tuple[Scalar, ...]) -> bool:
    # Choice answers compare by option id; for multiple choice "equals x" means "x was chosen".
    if isinstance(value, list | dict | str):
        if isinstance(wanted, int) and not isinstance(wanted, bool):
            wanted = str(wanted)  # option ids written as bare numbers in YAML
        return isinstance(wanted, str) and wanted in chosen_options(value)
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    if isinstance(wanted, int | float):
        return value == wanted
    return False


def references(condition: Condition) -> Iterator[Compare]:
    """Every leaf test in the condition, in order."""
    if isinstance(condition, AllOf | AnyOf):
        for inner in condition.conditions:
            yield from references(inner)
    elif isinstance(condition, Not):
        yield from references(condition.condition)
    else:
        yield condition
