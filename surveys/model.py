"""The survey model: immutable definitions, questions, groups and conditions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar, Literal

# Limits keep every screen within Telegram's message and keyboard sizes.
ID_MAX = 32
SURVEY_ID_MAX = 64
TITLE_MAX = 200
DESCRIPTION_MAX = 2000
QUESTION_TITLE_MAX = 1000
LABEL_MAX = 100
EXPLANATION_MAX = 1000
OPTIONS_MAX = 50
QUESTIONS_MAX = 200
GROUP_DEPTH_MAX = 3
TEXT_MAX_DEFAULT = 500
TEXT_MAX_LIMIT = 4000
SCALE_STEPS_MAX = 11  # 0-10 is the widest scale a keyboard shows in two rows

Scalar = str | int | float | bool
# A canonical answer as stored: see SCHEMA.md, "Answer values".
Answer = str | int | float | bool | list[str] | dict[str, Any]
UnitKey = str | int | None

Operator = Literal[
    "equals", "one_of", "greater_than", "less_than", "at_least", "at_most", "answered", "skipped"
]
OPERATORS: tuple[Operator, ...] = (
    "equals",
    "one_of",
    "greater_than",
    "less_than",
    "at_least",
    "at_most",
    "answered",
    "skipped",
)
NUMERIC_OPERATORS: frozenset[str] = frozenset({"greater_than", "less_than", "at_least", "at_most"})


@dataclass(frozen=True, slots=True)
class Compare:
    """A test on one earlier answer, e.g. ``{question: role, equals: tech}``."""

    question: str
    operator: Operator
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every inner condition holds (and)."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when at least one inner condition holds (or)."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """True when the inner condition does not hold."""

    condition: Condition


Condition = Compare | AllOf | AnyOf | Not


@dataclass(frozen=True, slots=True)
class Option:
    """One choice; ``other`` marks "other, please specify", which asks for text."""

    id: str
    label: str
    other: bool = False


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields every question type shares."""

    TYPE: ClassVar[str] = ""

    id: str
    title: str
    description: str | None = None
    required: bool = True
    show_if: Condition | None = None
    end_if: Condition | None = None


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """Shared by single and multiple choice; ``correct`` turns it into a quiz question."""

    options: tuple[Option, ...]
    shuffle: bool = False
    correct: tuple[str, ...] = ()
    explanation: str | None = None

    def option(self, option_id: str) -> Option | None:
        """The option with this id, if any."""
        for option in self.options:
            if option.id == option_id:
                return option
        return None


@dataclass(frozen=True, kw_only=True)
class SingleChoice(ChoiceQuestion):
    """Pick exactly one option."""

    TYPE: ClassVar[str] = "single"


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(ChoiceQuestion):
    """Pick several options; None limits mean 1 and all options."""

    TYPE: ClassVar[str] = "multiple"

    min_selections: int | None = None
    max_selections: int | None = None

    @property
    def least(self) -> int:
        """The effective minimum number of selections."""
        return 1 if self.min_selections is None else self.min_selections

    @property
    def most(self) -> int:
        """The effective maximum number of selections."""
        return len(self.options) if self.max_selections is None else self.max_selections


@dataclass(frozen=True, kw_only=True)
class Scale(Question):
    """A rating from ``min`` to ``max`` with optional labels for the two ends; 0-10 gives NPS."""

    TYPE: ClassVar[str] = "scale"

    min: int = 1
    max: int = 5
    min_label: str | None = None
    max_label: str | None = None

    @property
    def is_nps(self) -> bool:
        """Net Promoter Score applies to 0-10 scales only."""
        return self.min == 0 and self.max == 10


@dataclass(frozen=True, kw_only=True)
class YesNo(Question):
    """Yes or no; ``correct`` makes it a true/false quiz question."""

    TYPE: ClassVar[str] = "yes_no"

    correct: bool | None = None
    explanation: str | None = None


@dataclass(frozen=True, kw_only=True)
class Text(Question):
    """A short free-text answer."""

    TYPE: ClassVar[str] = "text"

    max_length: int = TEXT_MAX_DEFAULT


@dataclass(frozen=True, kw_only=True)
class Number(Question):
    """A number within an optional range, whole (``integer``) or decimal."""

    TYPE: ClassVar[str] = "number"

    min: int | float | None = None
    max: int | float | None = None
    integer: bool = True


QUESTION_TYPES: dict[str, type[Question]] = {
    cls.TYPE: cls for cls in (SingleChoice, MultipleChoice, Scale, YesNo, Text, Number)
}


@dataclass(frozen=True, kw_only=True)
class Group:
    """Questions shown together, only when ``show_if`` holds."""

    id: str
    questions: tuple[Item, ...]
    title: str | None = None
    show_if: Condition | None = None


Item = Question | Group


@dataclass(frozen=True, slots=True)
class Placed:
    """A question in asking order with every condition that must hold to show it."""

    question: Question
    guards: tuple[Condition, ...]
    groups: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Definition:
    """A complete survey; ``audience`` holds unit ids or names, resolved elsewhere."""

    id: str
    title: str
    questions: tuple[Item, ...]
    description: str | None = None
    audience: tuple[str | int, ...] = ()
    anonymous: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    allow_edit: bool = False

    @cached_property
    def placed(self) -> tuple[Placed, ...]:
        """Questions flattened out of groups, in asking order."""
        return tuple(_place(self.questions, (), ()))

    @cached_property
    def by_id(self) -> dict[str, Question]:
        """Questions by id (groups excluded)."""
        return {p.question.id: p.question for p in self.placed}

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return self.by_id.get(question_id)

    def is_open(self, now: datetime) -> bool:
        """Whether answers are accepted at ``now`` (an aware datetime)."""
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    def can_edit(self, now: datetime) -> bool:
        """Whether a member may still change a submitted response."""
        return self.allow_edit and self.is_open(now)


def _place(
    items: tuple[Item, ...], guards: tuple[Condition, ...], groups: tuple[str, ...]
) -> Iterator[Placed]:
    for item in items:
        if isinstance(item, Group):
            inner = guards if item.show_if is None else (*guards, item.show_if)
            yield from _place(item.questions, inner, (*groups, item.id))
        else:
            own = guards if item.show_if is None else (*guards, item.show_if)
            yield Placed(item, own, groups)


def iter_items(items: tuple[Item, ...]) -> Iterator[Item]:
    """Every question and group, depth first, in file order."""
    for item in items:
        yield item
        if isinstance(item, Group):
            yield from iter_items(item.questions)
