"""Task files: one task (督办任务) as YAML, read into the wizard's choices or every problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from surveys.errors import N_, ParamValue, ValidationError
from surveys.parse import ERRORS_MAX, read_yaml
from surveys.reader import Reader, join
from surveys.schedule import parse_schedule
from surveys.tasks import Requires, parse_number_names

FIELDS = ("title", "instructions", "due", "targets", "report", "late_ok", "repeat")
REPORT_FIELDS = ("text", "photos", "file", "numbers")
#: A title is one line of the task card and a button label on the home screen.
TITLE_MAX = 100
#: The wizard's target modes, by the words a file uses for them.
MODES = {"all_below": 0, "one_level": 1}
CHOSEN = 2

MESSAGES = {
    "targets": N_(
        "Expected all_below, one_level, or a list of unit names (lines starting with '-')."
    ),
    "due_past": N_("The due time has already passed; give a later one, such as +14d 18:00."),
    "multiline": N_("A title is one line."),
    "report_empty": N_("A report must ask for something: text, photos, a file or numbers."),
}


def task_error(code: str, path: str, **params: ParamValue) -> ValidationError:
    """A validation error whose message is in this module's table."""
    return ValidationError(code, path, MESSAGES[code], params)


@dataclass(frozen=True, kw_only=True)
class TaskFile:
    """One uploaded task: what the wizard would have collected, targets still as names."""

    title: str
    instructions: str
    due: datetime
    mode: int
    units: tuple[str | int, ...]
    requires: Requires
    late_ok: bool
    repeat: str | None


def load_task_file(
    yaml_text: str, *, tz: tzinfo, now: datetime
) -> TaskFile | list[ValidationError]:
    """Parse an upload; "+14d 18:00" counts from ``now`` and a past due time is refused."""
    data, problems = read_yaml(yaml_text)
    if problems:
        return problems
    reader = Reader(tz, now)
    raw = reader.mapping(data, "")
    if raw is None:
        return reader.errors
    reader.fields(raw, "", FIELDS, ("title", "instructions", "due"))
    title = _required_text(reader, raw, "title")
    if title is not None and "\n" in title:
        reader.errors.append(task_error("multiline", "title"))
    elif title is not None and len(title) > TITLE_MAX:
        reader.add("too_long", "title", length=len(title), limit=TITLE_MAX)
    instructions = _required_text(reader, raw, "instructions")
    due = reader.moment(raw.get("due"), "due", end_of_day=True) if "due" in raw else None
    if due is not None and due <= now:
        reader.errors.append(task_error("due_past", "due"))
    mode, units = _targets(reader, raw.get("targets", "all_below"))
    requires = _requires(reader, raw.get("report"))
    late_ok = reader.boolean(raw, "late_ok", "", True)
    repeat = None
    if raw.get("repeat") is not None:
        schedule = parse_schedule(raw["repeat"], tz, "repeat")
        if isinstance(schedule, ValidationError):
            reader.errors.append(schedule)
        else:
            repeat = schedule.text
    if reader.errors or not title or not instructions or due is None:
        return reader.errors[:ERRORS_MAX]
    return TaskFile(
        title=title, instructions=instructions, due=due, mode=mode, units=units,
        requires=requires, late_ok=late_ok, repeat=repeat,
    )  # fmt: skip


def _required_text(reader: Reader, raw: dict[Any, Any], key: str) -> str | None:
    """A text field that must not be empty (its absence is already reported)."""
    if key not in raw:
        return None
    value = reader.optional_text(raw, key, "")
    if value is None and (raw[key] is None or isinstance(raw[key], str)):
        reader.add("empty", key)
    return value


def _targets(reader: Reader, raw: object) -> tuple[int, tuple[str | int, ...]]:
    """A mode word, or unit names (one name need not be a list)."""
    if isinstance(raw, str) and raw.strip() in MODES:
        return MODES[raw.strip()], ()
    entries = [raw] if isinstance(raw, str | int) and not isinstance(raw, bool) else raw
    if not isinstance(entries, list) or not entries:
        reader.errors.append(task_error("targets", "targets"))
        return CHOSEN, ()
    found: list[str | int] = []
    for index, unit in enumerate(entries, start=1):
        if isinstance(unit, int) and not isinstance(unit, bool):
            found.append(unit)
        elif isinstance(unit, str) and unit.strip():
            found.append(unit.strip())
        else:
            reader.add("not_text", f"targets[{index}]")
    return CHOSEN, tuple(found)


def _requires(reader: Reader, raw: object) -> Requires:
    """What a report must contain; without ``report`` a written report, as the wizard starts."""
    if raw is None:
        return Requires()
    fields = reader.mapping(raw, "report")
    if fields is None:
        return Requires()
    reader.fields(fields, "report", REPORT_FIELDS, ())
    numbers = _numbers(reader, fields.get("numbers"))
    requires = Requires(
        text=reader.boolean(fields, "text", "report", True),
        photo=reader.boolean(fields, "photos", "report", False),
        file=reader.boolean(fields, "file", "report", False),
        numbers=numbers,
    )
    if not (requires.text or requires.photo or requires.file or requires.numbers):
        reader.errors.append(task_error("report_empty", "report"))
    return requires


def _numbers(reader: Reader, raw: Any) -> tuple[str, ...]:
    """Named numbers, as a list or as the wizard's comma-separated text."""
    if raw is None:
        return ()
    path = join("report", "numbers")
    if isinstance(raw, list):
        texts = [reader.text(n, f"{path}[{i}]") for i, n in enumerate(raw, start=1)]
        raw = "，".join(t for t in texts if t)
    if not isinstance(raw, str):
        reader.add("not_a_list", path)
        return ()
    names = parse_number_names(raw)
    if isinstance(names, str):
        reader.errors.append(ValidationError("numbers", path, names, {}))
        return ()
    return names
