"""Work supervision storage: tasks, per-unit assignments, report parts and queued notices."""

from __future__ import annotations

import json
from dataclasses import dataclass

from storage.db import Row
from storage.rows import from_row
from surveys.tasks import Requires


@dataclass(frozen=True, slots=True)
class Task:
    """One task as the creator wrote it."""

    id: int
    title: str
    body: str
    attachment_kind: str | None
    attachment_file_id: str | None
    due_at: float
    requires: Requires
    late_ok: bool
    repeat: str | None
    series_id: int | None
    base_unit_id: int | None
    state: str
    created_by: int | None
    created_at: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """A task as one unit has it: its state, numbers and the creator's comment."""

    id: int
    task_id: int
    unit_id: int
    unit_name: str
    state: str
    figures: dict[str, float]
    comment: str | None
    received_at: float | None
    submitted_at: float | None
    decided_at: float | None


@dataclass(frozen=True, slots=True)
class Part:
    """One message of a report: text, or a photo or file by Telegram file id."""

    id: int
    kind: str
    content: str
    file_name: str | None
    added_at: float


def task_of(row: Row) -> Task:
    """Row to dataclass."""
    return from_row(
        Task, row, requires=Requires.from_json(row["requires"]), late_ok=bool(row["late_ok"])
    )


def assignment_of(row: Row) -> Assignment:
    """Row (joined with the unit's name) to dataclass."""
    return from_row(Assignment, row, figures=json.loads(row["figures"] or "{}"))
