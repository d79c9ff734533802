"""Building definitions step by step, for the in-chat survey wizard; same model as YAML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from surveys.model import (
    TEXT_MAX_DEFAULT,
    Definition,
    MultipleChoice,
    Option,
    Question,
    Scale,
    SingleChoice,
    Text,
    YesNo,
)

OTHER_OPTION_ID = "other"


def new_survey(
    survey_id: str,
    title: str,
    *,
    description: str | None = None,
    audience: Sequence[str | int] = (),
    anonymous: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    allow_edit: bool = False,
) -> Definition:
    """An empty survey; add questions, then check it with ``validate``."""
    return Definition(
        id=survey_id.strip(),
        title=title.strip(),
        description=_optional(description),
        audience=tuple(audience),
        anonymous=anonymous,
        opens_at=opens_at,
        closes_at=closes_at,
        allow_edit=allow_edit,
        questions=(),
    )


def set_title(definition: Definition, title: str) -> Definition:
    """The survey with a new title."""
    return replace(definition, title=title.strip())


def add_single_choice(
    definition: Definition,
    title: str,
    options: Sequence[str],
    *,
    other: str | None = None,
    shuffle: bool = False,
    required: bool = True,
    question_id: str | None = None,
) -> Definition:
    """Append a single-choice question; ``other`` is the label of a "please specify" option."""
    return _add(
        definition,
        SingleChoice,
        title,
        required,
        question_id,
        options=_options(options, other),
        shuffle=shuffle,
    )


def add_multiple_choice(
    definition: Definition,
    title: str,
    options: Sequence[str],
    *,
    min_selections: int | None = None,
    max_selections: int | None = None,
    other: str | None = None,
    shuffle: bool = False,
    required: bool = True,
    question_id: str | None = None,
) -> Definition:
    """Append a multiple-choice question."""
    return _add(
        definition,
        MultipleChoice,
        title,
        required,
        question_id,
        options=_options(options, other),
        shuffle=shuffle,
        min_selections=min_selections,
        max_selections=max_selections,
    )


def add_text_question(
    definition: Definition,
    title: str,
    *,
    max_length: int = TEXT_MAX_DEFAULT,
    required: bool = True,
    question_id: str | None = None,
) -> Definition:
    """Append a short free-text question."""
    return _add(definition, Text, title, required, question_id, max_length=max_length)


def add_rating(
    definition: Definition,
    title: str,
    *,
    low: int = 1,
    high: int = 5,
    low_label: str | None = None,
    high_label: str | None = None,
    required: bool = True,
    question_id: str | None = None,
) -> Definition:
    """Append a rating scale (1-5 by default; 0-10 gives an NPS)."""
    return _add(
        definition,
        Scale,
        title,
        required,
        question_id,
        min=low,
        max=high,
        min_label=_optional(low_label),
        max_label=_optional(high_label),
    )


def add_yes_no(
    definition: Definition, title: str, *, required: bool = True, question_id: str | None = None
) -> Definition:
    """Append a yes/no question."""
    return _add(definition, YesNo, title, required, question_id)


def remove_question(definition: Definition, question_id: str) -> Definition:
    """The survey without that top-level question (the wizard's "undo")."""
    kept = tuple(q for q in definition.questions if q.id != question_id)
    return replace(definition, questions=kept)


def _add(
    definition: Definition,
    kind: Callable[..., Question],
    title: str,
    required: bool,
    question_id: str | None,
    **fields: Any,
) -> Definition:
    """Append a `kind` question, numbered with the next free id unless one is given."""
    question = kind(
        id=question_id or _next_id(definition), title=title.strip(), required=required, **fields
    )
    return replace(definition, questions=(*definition.questions, question))


def _next_id(definition: Definition) -> str:
    # q1, q2, ...: the first free number, so removing a question never reuses a live id.
    used = {p.question.id for p in definition.placed} | {q.id for q in definition.questions}
    number = len(definition.questions) + 1
    while f"q{number}" in used:
        number += 1
    return f"q{number}"


def _options(labels: Sequence[str], other: str | None) -> tuple[Option, ...]:
    options = [Option(id=str(i + 1), label=label.strip()) for i, label in enumerate(labels)]
    if other is not None:
        options.append(Option(id=OTHER_OPTION_ID, label=other.strip(), other=True))
    return tuple(options)


def _optional(text: str | None) -> str | None:
    stripped = text.strip() if text is not None else ""
    return stripped or None
