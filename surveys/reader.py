"""Reading plain YAML values into typed ones, collecting errors instead of raising."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar

from surveys.dates import relative_moment
from surveys.errors import ParamValue, ValidationError, validation_error

T = TypeVar("T")

# Items, options and condition nodes read per definition: YAML aliases let a small file
# describe billions of nodes, and every one of them costs time.
WORK_MAX = 50_000


@dataclass
class Reader:
    """Typed accessors over loaded YAML; every problem becomes a ValidationError."""

    tz: tzinfo
    #: The upload time that relative dates ("+14d") count from; None: the wall clock,
    #: for callers without an injected clock (handlers always pass theirs).
    now: datetime | None = None
    errors: list[ValidationError] = field(default_factory=list)
    work: int = 0
    exhausted: bool = False

    def spend(self, path: str) -> bool:
        """Count one unit of work; False (and one error) once the budget is gone."""
        self.work += 1
        if self.work > WORK_MAX:
            if not self.exhausted:
                self.add("too_large", path, size=self.work, limit=WORK_MAX)
            self.exhausted = True
            return False
        return True

    def add(self, code: str, path: str, **params: ParamValue) -> None:
        self.errors.append(validation_error(code, path, **params))

    def mapping(self, raw: object, path: str) -> dict[Any, Any] | None:
        if isinstance(raw, dict):
            return raw
        self.add("not_a_mapping", path)
        return None

    def fields(
        self, raw: dict[Any, Any], path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> bool:
        ok = True
        for key in raw:
            if key not in allowed:
                self.add(
                    "unknown_field",
                    join(path, str(key)),
                    field=str(key),
                    allowed=", ".join(allowed),
                )
                ok = False
        for name in required:
            if name not in raw:
                self.add("missing_field", join(path, name), field=name)
                ok = False
        return ok

    def text(self, raw: object, path: str) -> str | None:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw)  # a bare number such as 2025 is plainly meant as text
        if isinstance(raw, str):
            return raw.strip()
        self.add("not_text", path)
        return None

    def optional_text(self, raw: dict[Any, Any], key: str, path: str) -> str | None:
        if raw.get(key) is None:
            return None
        value = self.text(raw[key], join(path, key))
        return value or None

    def boolean(self, raw: dict[Any, Any], key: str, path: str, default: bool) -> bool:
        value = raw.get(key, default)
        if isinstance(value, bool):
            return value
        self.add("not_a_boolean", join(path, key))
        return default

    def integer(self, raw: dict[Any, Any], key: str, path: str, default: T) -> int | T:
        value = raw.get(key)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.add("not_an_integer", join(path, key))
        return default

    def number(self, raw: dict[Any, Any], key: str, path: str) -> int | float | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return value
        self.add("not_a_number", join(path, key))
        return None

    def moment(self, raw: object, path: str, *, end_of_day: bool) -> datetime | None:
        if raw is None:
            return None
        value: datetime | None = None
        if isinstance(raw, datetime):
            value = raw
        elif isinstance(raw, date):
            value = _from_date(raw, end_of_day)
        elif isinstance(raw, str):
            value = _parse_iso(raw.strip(), end_of_day) or relative_moment(
                raw, self.upload_time(), end_of_day=end_of_day
            )
        if value is None:
            self.add("not_a_datetime", path)
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=self.tz)

    def upload_time(self) -> datetime:
        """Now in the configured zone, for values relative to the upload."""
        return (self.now or datetime.now(self.tz)).astimezone(self.tz)

    def items(self, raw: object, path: str, item: Callable[[object, int], T]) -> list[T]:
        if not isinstance(raw, list):
            self.add("not_a_list", path)
            return []
        return [item(entry, index) for index, entry in enumerate(raw)]


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def option_id(raw: object) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)  # `id: 1` in YAML is a number; option ids are text
    return raw if isinstance(raw, str) else None


def _from_date(day: date, end_of_day: bool) -> datetime | None:
    # A bare closing date means "until the end of that day", which is what officers mean.
    moment = datetime.combine(day, time())
    try:
        return moment + timedelta(days=1) if end_of_day else moment
    except OverflowError:
        return None


def _parse_iso(text: str, end_of_day: bool) -> datetime | None:
    try:
        return _from_date(date.fromisoformat(text), end_of_day)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
