"""Turning a definition back into plain data or YAML, in the same format the parser reads."""

from __future__ import annotations

from typing import Any

import yaml

from surveys.model import (
    AllOf,
    AnyOf,
    ChoiceQuestion,
    Condition,
    Definition,
    Group,
    Item,
    MultipleChoice,
    Not,
    Number,
    Question,
    Scale,
    Text,
    YesNo,
)


def dump(definition: Definition) -> dict[str, Any]:
    """JSON- and YAML-safe data that ``parse_definition`` turns back into an equal definition.

    Defaults are left out so stored and downloaded files stay short.
    """
    d = definition
    out: dict[str, Any] = {"id": d.id, "title": d.title}
    if d.description is not None:
        out["description"] = d.description
    if d.audience:
        out["audience"] = list(d.audience)
    if d.anonymous:
        out["anonymous"] = True
    if d.opens_at is not None:
        out["opens_at"] = d.opens_at.isoformat()
    if d.closes_at is not None:
        out["closes_at"] = d.closes_at.isoformat()
    if d.allow_edit:
        out["allow_edit"] = True
    out["questions"] = [_item(item) for item in d.questions]
    return out


def dump_yaml(definition: Definition) -> str:
    """The definition as readable YAML (Chinese kept as is, fields in schema order)."""
    return yaml.safe_dump(dump(definition), allow_unicode=True, sort_keys=False, width=100)


def dump_condition(condition: Condition) -> dict[str, Any]:
    """A condition in its YAML form."""
    if isinstance(condition, AllOf):
        return {"all": [dump_condition(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [dump_condition(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": dump_condition(condition.condition)}
    value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return {"question": condition.question, condition.operator: value}


def _item(item: Item) -> dict[str, Any]:
    if isinstance(item, Group):
        out: dict[str, Any] = {"group": item.id}
        if item.title is not None:
            out["title"] = item.title
        if item.show_if is not None:
            out["show_if"] = dump_condition(item.show_if)
        out["questions"] = [_item(inner) for inner in item.questions]
        return out
    return _question(item)


def _question(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "type": q.TYPE, "title": q.title}
    if q.description is not None:
        out["description"] = q.description
    if not q.required:
        out["required"] = False
    if q.show_if is not None:
        out["show_if"] = dump_condition(q.show_if)
    if q.end_if is not None:
        out["end_if"] = dump_condition(q.end_if)
    if isinstance(q, ChoiceQuestion):
        out["options"] = [
            {"id": o.id, "label": o.label, **({"other": True} if o.other else {})}
            for o in q.options
        ]
        if q.shuffle:
            out["shuffle"] = True
        if isinstance(q, MultipleChoice):
            if q.min_selections is not None:
                out["min_selections"] = q.min_selections
            if q.max_selections is not None:
                out["max_selections"] = q.max_selections
        if q.correct:
            out["correct"] = list(q.correct)
        if q.explanation is not None:
            out["explanation"] = q.explanation
    elif isinstance(q, Scale):
        out["min"] = q.min
        out["max"] = q.max
        if q.min_label is not None:
            out["min_label"] = q.min_label
        if q.max_label is not None:
            out["max_label"] = q.max_label
    elif isinstance(q, YesNo):
        if q.correct is not None:
            out["correct"] = q.correct
        if q.explanation is not None:
            out["explanation"] = q.explanation
    elif isinstance(q, Text):
        out["max_length"] = q.max_length
    elif isinstance(q, Number):
        if q.min is not None:
            out["min"] = q.min
        if q.max is not None:
            out["max"] = q.max
        out["integer"] = q.integer
    return out
