"""Row helpers the feature stores share: rows to dataclasses, "did it change a row"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from storage.db import Executor, Params, Row

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def from_row(cls: type[T], row: Row | Mapping[str, Any], **given: Any) -> T:
    """The dataclass of a row: each field from the column of its name, unless given here.

    A field the row has no column for keeps its default (a missing one without a default
    raises, so a renamed column fails a test instead of reading as empty).
    """
    columns = set(row.keys())
    values = {name: row[name] for name in _names(cls) if name in columns and name not in given}
    return cls(**values, **given)


@cache
def _names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class (rows come by the page)."""
    return tuple(f.name for f in fields(cls))


async def changed(db: Executor, sql: str, params: Params = ()) -> bool:
    """Run one statement; whether it changed (inserted, updated or deleted) any row."""
    return await db.execute(sql, params) > 0
