"""Reading survey definitions from YAML text or plain data, reporting errors instead of raising."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import yaml

from surveys.errors import ValidationError, validation_error
from surveys.model import (
    GROUP_DEPTH_MAX,
    Definition,
    Group,
    Item,
    MultipleChoice,
    Number,
    Option,
    Question,
    Scale,
    SingleChoice,
    Text,
    YesNo,
)
from surveys.parse_conditions import ConditionReader
from surveys.reader import join, option_id
from surveys.validate import item_path, validate

YAML_SIZE_MAX = 200_000
ERRORS_MAX = 100

SURVEY_FIELDS = (
    "id", "title", "description", "audience", "anonymous",
    "opens_at", "closes_at", "allow_edit", "questions",
)  # fmt: skip
COMMON_FIELDS = ("id", "type", "title", "description", "required", "show_if", "end_if")
CHOICE_FIELDS = ("options", "shuffle", "correct", "explanation")
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "single": CHOICE_FIELDS,
    "multiple": (*CHOICE_FIELDS, "min_selections", "max_selections"),
    "scale": ("min", "max", "min_label", "max_label"),
    "yes_no": ("correct", "explanation"),
    "text": ("max_length",),
    "number": ("min", "max", "integer"),
}
QUESTION_FIELDS = (*COMMON_FIELDS, *sorted({f for fs in TYPE_FIELDS.values() for f in fs}))
GROUP_FIELDS = ("group", "title", "show_if", "questions")
OPTION_FIELDS = ("id", "label", "other")


def read_yaml(yaml_text: str) -> tuple[object, list[ValidationError]]:
    """Load an uploaded YAML text safely: (data, []) or (None, [the error]), never a crash."""
    if len(yaml_text) > YAML_SIZE_MAX:
        return None, [validation_error("too_large", "", size=len(yaml_text), limit=YAML_SIZE_MAX)]
    try:
        return yaml.safe_load(yaml_text), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return None, [
            validation_error(
                "yaml_syntax",
                "",
                line=mark.line + 1 if mark else 0,
                column=mark.column + 1 if mark else 0,
                problem=str(exc.problem or exc.context or "syntax error"),
            )
        ]
    except Exception as exc:
        # PyYAML also raises ValueError (impossible dates), RecursionError (deep nesting)
        # and others for hostile input; an upload must get an error message, not a crash.
        problem = type(exc).__name__
        return None, [validation_error("yaml_syntax", "", line=0, column=0, problem=problem)]


def load_definition(
    yaml_text: str, *, tz: tzinfo, now: datetime | None = None
) -> Definition | list[ValidationError]:
    """Parse and validate YAML; naive datetimes are in ``tz``, "+14d" counts from ``now``."""
    data, problems = read_yaml(yaml_text)
    if problems:
        return problems
    return parse_definition(data, tz=tz, now=now)


def parse_definition(
    data: object, *, tz: tzinfo, now: datetime | None = None
) -> Definition | list[ValidationError]:
    """Build and validate a definition from already-loaded data (YAML, JSON, ``dump()``)."""
    parser = _Parser(tz, now)
    definition = parser.definition(data)
    if definition is None:
        return parser.errors
    errors = parser.errors
    if not parser.exhausted:
        # Where the parser already complained, its message is the precise one.
        seen = {e.path for e in errors}
        checked = validate(definition, broken=parser.broken, paths=parser.paths)
        errors = errors + [e for e in checked if e.path not in seen]
    return errors[:ERRORS_MAX] or definition


@dataclass
class _Parser(ConditionReader):
    # Ids of questions dropped because of errors, so references to them are not re-reported.
    broken: set[str] = field(default_factory=set)
    paths: dict[int, str] = field(default_factory=dict)

    def definition(self, data: object) -> Definition | None:
        raw = self.mapping(data, "")
        if raw is None:
            return None
        self.fields(raw, "", SURVEY_FIELDS, ("id", "title", "questions"))
        audience: list[str | int] = []
        if raw.get("audience") is not None:
            units = raw["audience"]
            if isinstance(units, str | int) and not isinstance(units, bool):
                units = [units]  # a single unit need not be written as a list
            if isinstance(units, list) and not units:
                self.add("empty", "audience")
            for index, unit in enumerate(units if isinstance(units, list) else []):
                if isinstance(unit, int) and not isinstance(unit, bool):
                    audience.append(unit)
                elif isinstance(unit, str):
                    audience.append(unit.strip())
                else:
                    self.add("not_text", f"audience[{index + 1}]")
            if not isinstance(units, list):
                self.add("not_a_list", "audience")
        questions: list[Item] = []
        if "questions" in raw:
            found = self.items(raw["questions"], "questions", lambda e, i: self.item(e, "", i, 1))
            questions = [q for q in found if q is not None]
        return Definition(
            id=self.text(raw.get("id", ""), "id") or "",
            title=self.text(raw.get("title", ""), "title") or "",
            description=self.optional_text(raw, "description", ""),
            audience=tuple(audience),
            anonymous=self.boolean(raw, "anonymous", "", False),
            opens_at=self.moment(raw.get("opens_at"), "opens_at", end_of_day=False),
            closes_at=self.moment(raw.get("closes_at"), "closes_at", end_of_day=True),
            allow_edit=self.boolean(raw, "allow_edit", "", False),
            questions=tuple(questions),
        )

    def item(self, entry: object, parent: str, index: int, depth: int) -> Item | None:
        if not self.spend(item_path(parent, index, "")):
            return None
        raw = self.mapping(entry, item_path(parent, index, ""))
        if raw is None:
            return None
        key = "group" if "group" in raw else "id"
        raw_id = raw.get(key)
        item_id = raw_id if isinstance(raw_id, str) else ""
        path = item_path(parent, index, item_id)
        before = len(self.errors)
        result = self.group(raw, path, depth) if key == "group" else self.question(raw, path)
        if result is None or len(self.errors) > before:
            if item_id:
                self.broken.add(item_id)
            return None
        self.paths[id(result)] = path
        return result

    def group(self, raw: dict[Any, Any], path: str, depth: int) -> Group | None:
        if depth > GROUP_DEPTH_MAX:
            # Checked here, not only in validate, because nesting drives recursion.
            self.add("nesting_too_deep", path, limit=GROUP_DEPTH_MAX)
            return None
        self.fields(raw, path, GROUP_FIELDS, ("group", "questions"))
        group_id = self.text(raw.get("group", ""), join(path, "group")) or ""
        inner: list[Item | None] = []
        if "questions" in raw:
            inner = self.items(
                raw["questions"],
                join(path, "questions"),
                lambda e, i: self.item(e, path, i, depth + 1),
            )
        return Group(
            id=group_id,
            title=self.optional_text(raw, "title", path),
            show_if=self.condition_field(raw, "show_if", path),
            questions=tuple(q for q in inner if q is not None),
        )

    def question(self, raw: dict[Any, Any], path: str) -> Question | None:
        kind = raw.get("type")
        if kind is None:
            self.fields(raw, path, QUESTION_FIELDS, ("id", "type"))
            return None
        if not isinstance(kind, str) or kind not in TYPE_FIELDS:
            self.add(
                "unknown_type", join(path, "type"), type=str(kind), allowed=", ".join(TYPE_FIELDS)
            )
            return None
        if not self.fields(raw, path, (*COMMON_FIELDS, *TYPE_FIELDS[kind]), ("id", "title")):
            return None
        common: dict[str, Any] = {
            "id": self.text(raw.get("id", ""), join(path, "id")) or "",
            "title": self.text(raw.get("title", ""), join(path, "title")) or "",
            "description": self.optional_text(raw, "description", path),
            "required": self.boolean(raw, "required", path, True),
            "show_if": self.condition_field(raw, "show_if", path),
            "end_if": self.condition_field(raw, "end_if", path),
        }
        if kind in ("single", "multiple"):
            return self.choice(raw, path, kind, common)
        if kind == "scale":
            return Scale(
                **common,
                min=self.integer(raw, "min", path, 1),
                max=self.integer(raw, "max", path, 5),
                min_label=self.optional_text(raw, "min_label", path),
                max_label=self.optional_text(raw, "max_label", path),
            )
        if kind == "yes_no":
            correct = raw.get("correct")
            if correct is not None and not isinstance(correct, bool):
                self.add("not_a_boolean", join(path, "correct"))
                correct = None
            return YesNo(
                **common, correct=correct, explanation=self.optional_text(raw, "explanation", path)
            )
        if kind == "text":
            return Text(**common, max_length=self.integer(raw, "max_length", path, 500))
        return Number(
            **common,
            min=self.number(raw, "min", path),
            max=self.number(raw, "max", path),
            integer=self.boolean(raw, "integer", path, True),
        )

    def choice(
        self, raw: dict[Any, Any], path: str, kind: str, common: dict[str, Any]
    ) -> Question | None:
        options: list[Option | None] = []
        if "options" not in raw:
            self.add("missing_field", join(path, "options"), field="options")
        else:
            where = join(path, "options")
            options = self.items(raw["options"], where, lambda e, i: self.option(e, where, i))
        shared: dict[str, Any] = {
            **common,
            "options": tuple(o for o in options if o is not None),
            "shuffle": self.boolean(raw, "shuffle", path, False),
            "correct": self.correct(raw.get("correct"), join(path, "correct")),
            "explanation": self.optional_text(raw, "explanation", path),
        }
        if kind == "single":
            return SingleChoice(**shared)
        return MultipleChoice(
            **shared,
            min_selections=self.integer(raw, "min_selections", path, None),
            max_selections=self.integer(raw, "max_selections", path, None),
        )

    def option(self, entry: object, path: str, index: int) -> Option | None:
        where = f"{path}[{index + 1}]"
        if not self.spend(where):
            return None
        if isinstance(entry, str | int) and not isinstance(entry, bool):
            # Shorthand: a bare label, numbered by position.
            return Option(id=str(index + 1), label=str(entry).strip())
        raw = self.mapping(entry, where)
        if raw is None or not self.fields(raw, where, OPTION_FIELDS, ("id", "label")):
            return None
        identifier = option_id(raw["id"])
        if identifier is None:
            self.add("not_text", f"{where}.id")
            return None
        label = self.text(raw["label"], f"{where}.label")
        if label is None:
            return None
        return Option(id=identifier, label=label, other=self.boolean(raw, "other", where, False))

    def correct(self, raw: object, path: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        entries = raw if isinstance(raw, list) else [raw]
        found: list[str] = []
        for entry in entries:
            identifier = option_id(entry)
            if identifier is None:
                self.add("not_text", path)
                return ()
            found.append(identifier)
        return tuple(found)
