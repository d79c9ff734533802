"""SCHEMA.md stays in step with the parser."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from surveys.model import OPERATORS
from surveys.parse import GROUP_FIELDS, OPTION_FIELDS, QUESTION_FIELDS, SURVEY_FIELDS, TYPE_FIELDS

from .helpers import load

SCHEMA = (Path(__file__).resolve().parents[2] / "surveys" / "SCHEMA.md").read_text(encoding="utf-8")


def test_every_field_type_and_operator_is_documented() -> None:
    names = {*SURVEY_FIELDS, *QUESTION_FIELDS, *GROUP_FIELDS, *OPTION_FIELDS, *TYPE_FIELDS}
    names |= set(OPERATORS) | {"all", "any", "not"}
    missing = sorted(n for n in names if f"`{n}`" not in SCHEMA and f"`{n}:" not in SCHEMA)
    assert missing == []


def test_yaml_snippets_are_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", SCHEMA, flags=re.S)
    assert blocks
    for block in blocks:
        if block.startswith("id:"):
            load(block)
        else:
            assert yaml.safe_load(block) is not None
