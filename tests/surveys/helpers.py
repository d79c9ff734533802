"""Shared helpers for the survey tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

from surveys import (
    AnswerError,
    Definition,
    Progress,
    ValidationError,
    answer,
    load_definition,
    start,
)

TZ = ZoneInfo("Asia/Shanghai")
EXAMPLES = Path(__file__).resolve().parents[2] / "surveys" / "examples"


def load(yaml_text: str) -> Definition:
    """Load a definition that must be valid; fail with the errors otherwise."""
    result = load_definition(textwrap.dedent(yaml_text), tz=TZ)
    assert not isinstance(result, list), [str(e) for e in result]
    return result


def errors(yaml_text: str) -> list[ValidationError]:
    """Load a definition that must be invalid and return its errors."""
    result = load_definition(textwrap.dedent(yaml_text), tz=TZ)
    assert isinstance(result, list), "expected validation errors"
    return result


def codes(yaml_text: str) -> list[tuple[str, str]]:
    """(code, path) of every error, for compact assertions."""
    return [(e.code, e.path) for e in errors(yaml_text)]


def example(name: str) -> Definition:
    """One of the shipped example files."""
    return load((EXAMPLES / name).read_text(encoding="utf-8"))


def step(definition: Definition, progress: Progress, question_id: str, value: object) -> Progress:
    """Answer, which must be accepted."""
    result = answer(definition, progress, question_id, value)
    assert not isinstance(result, AnswerError), str(result)
    return result


def rejected(definition: Definition, question_id: str, value: object, **given: object) -> str:
    """Start, answer earlier questions from ``given``, then return the error code for ``value``."""
    progress = start(definition, "seed")
    for qid, earlier in given.items():
        progress = step(definition, progress, qid, earlier)
    result = answer(definition, progress, question_id, value)
    assert isinstance(result, AnswerError), f"{value!r} was accepted"
    return result.code


def accepted(definition: Definition, question_id: str, value: object) -> object:
    """The stored form of ``value`` for the first question."""
    progress = step(definition, start(definition, "seed"), question_id, value)
    return progress["answers"][question_id]
