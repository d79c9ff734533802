"""Work supervision storage: tasks, per-unit assignments, report parts and queued notices."""

from __future__ import annotations

import json
from dataclasses import dataclass

from storage.db import Row
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
    return Task(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        attachment_kind=row["attachment_kind"],
        attachment_file_id=row["attachment_file_id"],
        due_at=row["due_at"],
        requires=Requires.from_json(row["requires"]),
        late_ok=bool(row["late_ok"]),
        repeat=row["repeat"],
        series_id=row["series_id"],
        base_unit_id=row["base_unit_id"],
        state=row["state"],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


def assignment_of(row: Row) -> Assignment:
    """Row (joined with the unit's name) to dataclass."""
    return Assignment(
        id=row["id"],
        task_id=row["task_id"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        state=row["state"],
        figures=json.loads(row["figures"] or "{}"),
        comment=row["comment"],
        received_at=row["received_at"],
        submitted_at=row["submitted_at"],
        decided_at=row["decided_at"],
    )
