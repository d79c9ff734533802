"""Unit evaluation (考核): the scorecard file (indicators, weights, targets) and the scoring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from surveys.errors import N_, ValidationError
from surveys.parse import read_yaml
from surveys.reader import Reader, join

#: Indicator key -> (msgid of its name, better "higher" or "lower", default target, default zero).
INDICATORS: Mapping[str, tuple[str, str, float, float]] = {
    "survey_response": (N_("Survey response rate"), "higher", 0.8, 0.0),
    "suggestion_reply_days": (N_("Days to first reply to suggestions"), "lower", 2.0, 10.0),
    "suggestion_satisfaction": (N_("Satisfaction with replies (stars)"), "higher", 4.5, 1.0),
    "suggestions_on_time": (N_("Suggestions answered on time"), "higher", 1.0, 0.0),
    "event_attendance": (N_("Event attendance against sign-ups"), "higher", 0.9, 0.0),
    "study_completion": (N_("Study completion"), "higher", 0.9, 0.0),
    "tasks_on_time": (N_("Tasks reported on time"), "higher", 1.0, 0.0),
    "tasks_accepted": (N_("Task reports accepted"), "higher", 1.0, 0.0),
}
#: Indicators computed from what members did: hidden for units below the anonymity threshold.
MEMBER_DERIVED = frozenset(INDICATORS) - {"tasks_on_time", "tasks_accepted"}
FIELDS = ("title", "indicators")
INDICATOR_FIELDS = ("key", "weight", "target", "zero")
MESSAGES = {
    "unknown_indicator": N_("Unknown indicator '{value}'. Known: {allowed}."),
    "duplicate_indicator": N_("The indicator '{value}' is listed more than once."),
    "bad_weight": N_("A weight must be a number above 0 and at most 100."),
    "same_target": N_("'target' (full marks) and 'zero' (no marks) must differ."),
}


@dataclass(frozen=True, slots=True)
class Indicator:
    """One line of the scorecard: full marks at `target`, none at `zero`, linear between."""

    key: str
    weight: float
    target: float
    zero: float

    def points(self, value: float) -> float:
        """Share of the weight earned by a value (0..1)."""
        share = (value - self.zero) / (self.target - self.zero)
        return max(0.0, min(1.0, share))


@dataclass(frozen=True, slots=True)
class Scorecard:
    """A validated scorecard file."""

    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, slots=True)
class Line:
    """One indicator's result for a unit: its value (None: no figure or hidden) and points."""

    key: str
    weight: float
    value: float | None
    points: float | None


@dataclass(frozen=True, slots=True)
class Score:
    """A unit's month: total out of 100 over the indicators that have a figure."""

    total: float | None
    lines: tuple[Line, ...]
    counted_weight: float


def _error(code: str, path: str, **params: str) -> ValidationError:
    return ValidationError(code, path, MESSAGES[code], params)


def parse_scorecard(text: str) -> Scorecard | list[ValidationError]:
    """Read and check a scorecard YAML file; every problem is listed with its place."""
    data, problems = read_yaml(text)
    if problems:
        return problems
    reader = Reader(tz=UTC)
    raw = reader.mapping(data, "")
    if raw is None or not reader.fields(raw, "", FIELDS, FIELDS):
        return reader.errors
    title = reader.text(raw["title"], "title") or ""
    items = reader.items(raw["indicators"], "indicators", lambda r, i: _indicator(reader, r, i))
    found = [i for i in items if i is not None]
    seen: set[str] = set()
    for n, indicator in enumerate(found):
        if indicator.key in seen:
            reader.errors.append(
                _error("duplicate_indicator", f"indicators[{n}].key", value=indicator.key)
            )
        seen.add(indicator.key)
    if not found and not reader.errors:
        reader.add("empty", "indicators")
    return reader.errors or Scorecard(title, tuple(found))


def _indicator(reader: Reader, raw: object, index: int) -> Indicator | None:
    path = f"indicators[{index}]"
    item = reader.mapping(raw, path)
    if item is None or not reader.fields(item, path, INDICATOR_FIELDS, ("key", "weight")):
        return None
    key = reader.text(item["key"], join(path, "key")) or ""
    if key not in INDICATORS:
        allowed = ", ".join(INDICATORS)
        reader.errors.append(
            _error("unknown_indicator", join(path, "key"), value=key, allowed=allowed)
        )
        return None
    weight = reader.number(item, "weight", path)
    _name, _better, target_default, zero_default = INDICATORS[key]
    target = reader.number(item, "target", path)
    zero = reader.number(item, "zero", path)
    target = target_default if target is None else target
    zero = zero_default if zero is None else zero
    if weight is None or not 0 < weight <= 100:
        reader.errors.append(_error("bad_weight", join(path, "weight")))
        return None
    if target == zero:
        reader.errors.append(_error("same_target", path))
        return None
    return Indicator(key, float(weight), float(target), float(zero))


def score(card: Scorecard, values: Mapping[str, float | None], *, small: bool) -> Score:
    """Score one unit; a small unit (below the anonymity threshold) loses member figures."""
    lines: list[Line] = []
    earned = counted = 0.0
    for indicator in card.indicators:
        value = values.get(indicator.key)
        if small and indicator.key in MEMBER_DERIVED:
            value = None
        points = None if value is None else indicator.points(value)
        if points is not None:
            earned += points * indicator.weight
            counted += indicator.weight
        lines.append(Line(indicator.key, indicator.weight, value, points))
    total = round(100 * earned / counted, 1) if counted else None
    return Score(total, tuple(lines), counted)


def month_bounds(month: str, tz: tzinfo) -> tuple[float, float]:
    """ "2026-03" -> (start, end) epoch seconds of that local month."""
    year, number = (int(p) for p in month.split("-"))
    start = datetime(year, number, 1, tzinfo=tz)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return start.timestamp(), after.timestamp()


def month_of(moment: float, tz: tzinfo) -> str:
    """The local month of a moment, "2026-03"."""
    return datetime.fromtimestamp(moment, tz).strftime("%Y-%m")


def previous_month(month: str) -> str:
    """ "2026-01" -> "2025-12"."""
    year, number = (int(p) for p in month.split("-"))
    day = date(year - (number == 1), 12 if number == 1 else number - 1, 1)
    return day.strftime("%Y-%m")
