"""Semantic checks of a survey model: ids, ranges, references, quiz answers, dates."""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from surveys.conditions import references
from surveys.errors import ParamValue, ValidationError, validation_error
from surveys.model import (
    DESCRIPTION_MAX,
    EXPLANATION_MAX,
    GROUP_DEPTH_MAX,
    ID_MAX,
    LABEL_MAX,
    NUMERIC_OPERATORS,
    OPTIONS_MAX,
    QUESTION_TITLE_MAX,
    QUESTIONS_MAX,
    SCALE_STEPS_MAX,
    SURVEY_ID_MAX,
    TEXT_MAX_LIMIT,
    TITLE_MAX,
    ChoiceQuestion,
    Compare,
    Condition,
    Definition,
    Group,
    Item,
    MultipleChoice,
    Number,
    Question,
    Scale,
    SingleChoice,
    Text,
    YesNo,
)

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_OPTION_ID = re.compile(r"[A-Za-z0-9_]+\Z")


def is_valid_id(value: str, limit: int = ID_MAX) -> bool:
    """Ids go into callback data, so they are short ASCII words."""
    return 0 < len(value) <= limit and _ID.match(value) is not None


def is_valid_option_id(value: str) -> bool:
    """Option ids may be plain numbers ("1", "2") as well as words."""
    return 0 < len(value) <= ID_MAX and _OPTION_ID.match(value) is not None


def item_path(parent: str, index: int, item_id: str) -> str:
    """Where an item is: its id when usable, else its 1-based position in its list."""
    if is_valid_id(item_id):
        return item_id
    prefix = f"{parent}." if parent else ""
    return f"{prefix}questions[{index + 1}]"


@dataclass
class _Checker:
    definition: Definition
    broken: Set[str]
    paths: Mapping[int, str]
    errors: list[ValidationError] = field(default_factory=list)
    # Position of each question id in asking order, to reject forward references.
    order: dict[str, int] = field(default_factory=dict)

    def add(self, code: str, path: str, **params: ParamValue) -> None:
        self.errors.append(validation_error(code, path, **params))

    def text(self, value: str | None, path: str, limit: int, *, required: bool = False) -> None:
        if value is None:
            return
        if required and not value.strip():
            self.add("empty", path)
        elif len(value) > limit:
            self.add("too_long", path, length=len(value), limit=limit)


def validate(
    definition: Definition,
    *,
    broken: Set[str] = frozenset(),
    paths: Mapping[int, str] | None = None,
) -> list[ValidationError]:
    """Every problem in the definition; empty when it is usable.

    ``broken`` names questions the parser had to drop, so references to them are not reported
    again; ``paths`` maps ``id(item)`` to the position the parser saw it at.
    """
    checker = _Checker(definition, broken, paths or {})
    d = definition
    if not is_valid_id(d.id, SURVEY_ID_MAX):
        checker.add("invalid_id", "id", value=d.id, limit=SURVEY_ID_MAX)
    checker.text(d.title, "title", TITLE_MAX, required=True)
    checker.text(d.description, "description", DESCRIPTION_MAX)
    for index, unit in enumerate(d.audience):
        if isinstance(unit, str) and not unit.strip():
            checker.add("empty", f"audience[{index + 1}]")
    for name, moment in (("opens_at", d.opens_at), ("closes_at", d.closes_at)):
        if moment is not None and moment.utcoffset() is None:
            checker.add("naive_datetime", name)
    if (
        d.opens_at is not None
        and d.closes_at is not None
        and d.opens_at.utcoffset() is not None
        and d.closes_at.utcoffset() is not None
        and d.closes_at <= d.opens_at
    ):
        checker.add(
            "dates_out_of_order",
            "closes_at",
            opens_at=d.opens_at.isoformat(),
            closes_at=d.closes_at.isoformat(),
        )
    if not d.questions and not broken:
        checker.add("empty", "questions")
    count = len(d.placed)
    if count > QUESTIONS_MAX:
        checker.add("too_many", "questions", count=count, limit=QUESTIONS_MAX)
    checker.order = {}
    for position, placed in enumerate(d.placed):
        checker.order.setdefault(placed.question.id, position)
    _check_duplicates(checker)
    _check_items(checker, d.questions, "", 1)
    return checker.errors


def _check_duplicates(checker: _Checker) -> None:
    seen: set[str] = set()
    reported: set[str] = set()
    for item, path in _walk(checker, checker.definition.questions, ""):
        if item.id in seen and item.id not in reported:
            checker.add("duplicate_id", path, id=item.id)
            reported.add(item.id)
        seen.add(item.id)


def _walk(checker: _Checker, items: tuple[Item, ...], parent: str) -> list[tuple[Item, str]]:
    found: list[tuple[Item, str]] = []
    for index, item in enumerate(items):
        path = checker.paths.get(id(item), item_path(parent, index, item.id))
        found.append((item, path))
        if isinstance(item, Group):
            found.extend(_walk(checker, item.questions, path))
    return found


def _check_items(checker: _Checker, items: tuple[Item, ...], parent: str, depth: int) -> None:
    for index, item in enumerate(items):
        path = checker.paths.get(id(item), item_path(parent, index, item.id))
        if not is_valid_id(item.id):
            checker.add("invalid_id", f"{path}.id", value=item.id, limit=ID_MAX)
        if isinstance(item, Group):
            _check_group(checker, item, path, depth)
        else:
            _check_question(checker, item, path)


def _check_group(checker: _Checker, group: Group, path: str, depth: int) -> None:
    if depth > GROUP_DEPTH_MAX:
        checker.add("nesting_too_deep", path, limit=GROUP_DEPTH_MAX)
        return
    checker.text(group.title, f"{path}.title", QUESTION_TITLE_MAX)
    if not group.questions:
        checker.add("empty", f"{path}.questions")
        return
    first = _first_question(group)
    if group.show_if is not None and first is not None:
        _check_condition(checker, group.show_if, f"{path}.show_if", checker.order[first.id])
    _check_items(checker, group.questions, path, depth + 1)


def _first_question(group: Group) -> Question | None:
    for item in group.questions:
        if isinstance(item, Question):
            return item
        inner = _first_question(item)
        if inner is not None:
            return inner
    return None


def _check_question(checker: _Checker, q: Question, path: str) -> None:
    checker.text(q.title, f"{path}.title", QUESTION_TITLE_MAX, required=True)
    checker.text(q.description, f"{path}.description", DESCRIPTION_MAX)
    position = checker.order.get(q.id, 0)
    if q.show_if is not None:
        _check_condition(checker, q.show_if, f"{path}.show_if", position)
    if q.end_if is not None:
        # end_if is checked after the question is answered, so it may test the question itself.
        _check_condition(checker, q.end_if, f"{path}.end_if", position + 1)
    if isinstance(q, ChoiceQuestion):
        _check_choice(checker, q, path)
    elif isinstance(q, Scale):
        steps = q.max - q.min + 1
        if steps < 2 or steps > SCALE_STEPS_MAX:
            checker.add("scale_range", f"{path}.max", min=q.min, max=q.max, limit=SCALE_STEPS_MAX)
        checker.text(q.min_label, f"{path}.min_label", LABEL_MAX)
        checker.text(q.max_label, f"{path}.max_label", LABEL_MAX)
    elif isinstance(q, YesNo):
        checker.text(q.explanation, f"{path}.explanation", EXPLANATION_MAX)
    elif isinstance(q, Text):
        if not 1 <= q.max_length <= TEXT_MAX_LIMIT:
            checker.add(
                "out_of_range", f"{path}.max_length", value=q.max_length, min=1, max=TEXT_MAX_LIMIT
            )
    elif isinstance(q, Number) and q.min is not None and q.max is not None and q.min > q.max:
        checker.add("min_greater_than_max", f"{path}.min", min=q.min, max=q.max)


def _check_choice(checker: _Checker, q: ChoiceQuestion, path: str) -> None:
    checker.text(q.explanation, f"{path}.explanation", EXPLANATION_MAX)
    if not q.options:
        checker.add("empty", f"{path}.options")
        return
    if len(q.options) > OPTIONS_MAX:
        checker.add("too_many", f"{path}.options", count=len(q.options), limit=OPTIONS_MAX)
    seen: set[str] = set()
    for index, option in enumerate(q.options):
        where = f"{path}.options[{index + 1}]"
        if not is_valid_option_id(option.id):
            checker.add("invalid_option_id", f"{where}.id", value=option.id, limit=ID_MAX)
        elif option.id in seen:
            checker.add("duplicate_option", f"{where}.id", id=option.id)
        seen.add(option.id)
        checker.text(option.label, f"{where}.label", LABEL_MAX, required=True)
    if sum(1 for o in q.options if o.other) > 1:
        checker.add("several_other_options", f"{path}.options")
    for option_id in q.correct:
        right = q.option(option_id)
        if right is None:
            checker.add("correct_unknown_option", f"{path}.correct", option=option_id)
        elif right.other:
            checker.add("correct_is_other", f"{path}.correct", option=option_id)
    if isinstance(q, SingleChoice) and len(q.correct) > 1:
        checker.add("correct_count", f"{path}.correct", count=len(q.correct))
    if isinstance(q, MultipleChoice):
        _check_selections(checker, q, path)


def _check_selections(checker: _Checker, q: MultipleChoice, path: str) -> None:
    count = len(q.options)
    in_range = True
    for name, value in (("min_selections", q.min_selections), ("max_selections", q.max_selections)):
        if value is not None and not 1 <= value <= count:
            checker.add("out_of_range", f"{path}.{name}", value=value, min=1, max=count)
            in_range = False
    if in_range and q.least > q.most:
        checker.add("min_greater_than_max", f"{path}.min_selections", min=q.least, max=q.most)


def _check_condition(checker: _Checker, condition: Condition, path: str, before: int) -> None:
    """Each test must name a question asked before position ``before``, with a fitting value."""
    for check in references(condition):
        if check.question in checker.broken:
            continue
        target = checker.definition.question(check.question)
        if target is None:
            checker.add("condition_unknown_question", path, id=check.question)
            continue
        if checker.order[check.question] >= before:
            checker.add("condition_forward_reference", path, id=check.question)
            continue
        _check_operand(checker, check, target, path)


def _check_operand(checker: _Checker, check: Compare, target: Question, path: str) -> None:
    op = check.operator
    if op in ("answered", "skipped"):
        return
    if op in NUMERIC_OPERATORS and not isinstance(target, Scale | Number):
        checker.add("condition_operator_type", path, operator=op, type=target.TYPE)
        return
    if isinstance(target, Text):
        checker.add("condition_operator_type", path, operator=op, type=target.TYPE)
        return
    values = check.value if isinstance(check.value, tuple) else (check.value,)
    for value in values:
        if isinstance(target, ChoiceQuestion):
            fits = isinstance(value, str | int) and not isinstance(value, bool)
            if fits and target.option(str(value)) is None:
                checker.add("condition_unknown_option", path, id=target.id, option=str(value))
                continue
        elif isinstance(target, YesNo):
            fits = isinstance(value, bool)
        else:
            fits = isinstance(value, int | float) and not isinstance(value, bool)
        if not fits:
            checker.add("condition_value", path, operator=op, id=target.id, type=target.TYPE)
