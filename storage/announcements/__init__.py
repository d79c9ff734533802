"""Announcements: who an officer addressed, and where their progress message is."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from storage import units
from storage.db import Executor, Row
from storage.rows import changed, from_row


@dataclass(frozen=True, slots=True)
class Audience:
    """Who an announcement goes to: units (with sub-units), officers only, one language."""

    unit_ids: tuple[int, ...] = ()
    officers_only: bool = False
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form for dialogs and the announcements table."""
        return {
            "units": list(self.unit_ids),
            "officers_only": self.officers_only,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Audience:
        """Read what to_json wrote; tolerate missing keys."""
        data = data or {}
        units_raw = data.get("units") or []
        language = data.get("language")
        return cls(
            tuple(int(u) for u in units_raw),
            bool(data.get("officers_only")),
            str(language) if language else None,
        )


@dataclass(frozen=True, slots=True)
class Announcement:
    """An announcement joined with its broadcast's lifecycle."""

    broadcast_id: int
    officer_id: int | None
    audience: Audience
    summary: str
    progress_chat_id: int | None
    progress_message_id: int | None
    reported: bool
    state: str
    due_at: float
    total: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    payload: str = field(repr=False, default="{}")


@dataclass(frozen=True, slots=True)
class Recipient:
    """One row of the "not acknowledged" export."""

    name: str | None
    employee_no: str | None
    unit_id: int | None
    language: str
    state: str
    error: str | None
    sent_at: float | None


def _announcement(row: Row) -> Announcement:
    """Row to dataclass."""
    audience = Audience.from_json(json.loads(row["audience"] or "{}"))
    return from_row(Announcement, row, audience=audience, reported=bool(row["reported"]))


_SELECT = """SELECT a.*, b.state, b.due_at, b.total, b.created_at, b.started_at,
                    b.finished_at, b.payload
             FROM announcements a JOIN broadcasts b ON b.id = a.broadcast_id"""


async def create(
    db: Executor, broadcast_id: int, officer_id: int, audience: Audience, summary: str
) -> None:
    """Attach announcement details to a broadcast."""
    await db.execute(
        """INSERT INTO announcements (broadcast_id, officer_id, audience, summary)
           VALUES (?, ?, ?, ?)""",
        (broadcast_id, officer_id, json.dumps(audience.to_json()), summary),
    )


async def update(db: Executor, broadcast_id: int, audience: Audience, summary: str) -> None:
    """Change audience and summary after an edit of a scheduled announcement."""
    await db.execute(
        "UPDATE announcements SET audience = ?, summary = ? WHERE broadcast_id = ?",
        (json.dumps(audience.to_json()), summary, broadcast_id),
    )


async def get(db: Executor, broadcast_id: int) -> Announcement | None:
    """One announcement or None."""
    row = await db.fetchone(_SELECT + " WHERE a.broadcast_id = ?", (broadcast_id,))
    return _announcement(row) if row else None


async def listing(
    db: Executor,
    *,
    officer_id: int | None,
    states: Sequence[str],
    limit: int = 20,
) -> list[Announcement]:
    """Announcements in some states, newest first; officer_id None lists everyone's."""
    marks = ",".join("?" * len(states))
    sql = _SELECT + f" WHERE b.state IN ({marks})"
    params: list[object] = list(states)
    if officer_id is not None:
        sql += " AND a.officer_id = ?"
        params.append(officer_id)
    sql += " ORDER BY b.due_at DESC, a.broadcast_id DESC LIMIT ?"
    params.append(limit)
    return [_announcement(r) for r in await db.fetchall(sql, params)]


async def set_progress_message(
    db: Executor, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    """Remember the message that shows the officer how sending goes."""
    await db.execute(
        """UPDATE announcements SET progress_chat_id = ?, progress_message_id = ?, reported = 0
           WHERE broadcast_id = ?""",
        (chat_id, message_id, broadcast_id),
    )


async def mark_reported(db: Executor, broadcast_id: int) -> bool:
    """Claim the one final report of a finished announcement; False if already sent."""
    return await changed(
        db,
        "UPDATE announcements SET reported = 1 WHERE broadcast_id = ? AND reported = 0",
        (broadcast_id,),
    )


async def resolve(db: Executor, audience: Audience) -> list[int]:
    """Member ids of verified members the audience covers, sub-units included."""
    unit_ids: set[int] = set()
    for unit_id in audience.unit_ids:
        unit_ids.update(await units.subtree_ids(db, unit_id))
    if not unit_ids:
        return []
    ids = sorted(unit_ids)
    sql = f"""SELECT m.id FROM members m
              WHERE m.status = 'verified' AND m.unit_id IN ({",".join("?" * len(ids))})"""
    params: list[object] = list(ids)
    if audience.language:
        sql += " AND m.language = ?"
        params.append(audience.language)
    if audience.officers_only:
        sql += " AND EXISTS (SELECT 1 FROM roles r WHERE r.member_id = m.id)"
    rows = await db.fetchall(sql + " ORDER BY m.id", params)
    return [r[0] for r in rows]


async def unreachable_among(db: Executor, member_ids: Sequence[int]) -> int:
    """How many of these members blocked the bot (they will be skipped)."""
    count = 0
    ids = list(member_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        count += int(
            await db.fetchval(
                f"""SELECT COUNT(*) FROM members WHERE unreachable_at IS NOT NULL
                    AND id IN ({",".join("?" * len(chunk))})""",
                chunk,
            )
        )
    return count


async def not_acknowledged(db: Executor, broadcast_id: int) -> list[Recipient]:
    """Recipients who have not confirmed reading, by unit and name (for the export)."""
    rows = await db.fetchall(
        """SELECT m.name, m.employee_no, m.unit_id, m.language, o.state, o.error, o.sent_at
           FROM outbox o JOIN members m ON m.id = o.member_id
           WHERE o.broadcast_id = ? AND o.acked_at IS NULL AND o.state != 'cancelled'
           ORDER BY m.unit_id, m.name, m.id""",
        (broadcast_id,),
    )
    return [
        Recipient(
            r["name"],
            r["employee_no"],
            r["unit_id"],
            r["language"],
            r["state"],
            r["error"],
            r["sent_at"],
        )
        for r in rows
    ]
