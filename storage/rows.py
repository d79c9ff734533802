"""Dataclasses from rows: each field read from the column of the same name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

from storage.db import Row

T = TypeVar("T")


def as_dataclass(cls: type[T], row: Row | Mapping[str, Any], **computed: Any) -> T:
    """A `cls` whose fields are the row's columns of those names, except those in `computed`."""
    names = (f.name for f in fields(cls))  # type: ignore[arg-type]
    values = {name: row[name] for name in names if name not in computed}
    return cls(**values, **computed)
