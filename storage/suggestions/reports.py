"""Read models over suggestions for officers: dashboard figures, assignees, export rows.

Every query here reads only what officers may see (released rows and messages)
and never selects anything that could name an anonymous author.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage import units
from storage.db import Executor


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids)) or "NULL"


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Figures for the units an officer oversees."""

    by_status: dict[str, int]
    overdue: int
    ratings: int
    average: float | None
    per_owner: list[tuple[int, str | None, int, float]]  # owner id, name, ratings, average


async def dashboard(db: Executor, unit_ids: Sequence[int], now: float) -> Dashboard:
    """Counts by status, overdue items, and released ratings overall and per owner."""
    ids = list(unit_ids)
    scope = f"s.unit_id IN ({_marks(ids)}) AND s.release_at <= ?"
    rows = await db.fetchall(
        f"SELECT s.status, COUNT(*) FROM suggestions s WHERE {scope} GROUP BY s.status",
        [*ids, now],
    )
    overdue = await db.fetchval(
        f"""SELECT COUNT(*) FROM suggestions s WHERE {scope}
            AND s.status IN ('new', 'in_progress') AND s.first_reply_at IS NULL
            AND s.due_at <= ?""",
        [*ids, now, now],
    )
    rated = f"""FROM suggestion_messages m JOIN suggestions s ON s.id = m.suggestion_id
                LEFT JOIN members p ON p.id = s.owner_id
                WHERE {scope} AND m.kind = 'rating' AND m.release_at <= ?"""
    total = await db.fetchone(f"SELECT COUNT(*), AVG(m.stars) {rated}", [*ids, now, now])
    owners = await db.fetchall(
        f"""SELECT s.owner_id, p.name, COUNT(*), AVG(m.stars) {rated}
            AND s.owner_id IS NOT NULL GROUP BY s.owner_id ORDER BY AVG(m.stars) DESC""",
        [*ids, now, now],
    )
    return Dashboard(
        by_status={r[0]: int(r[1]) for r in rows},
        overdue=int(overdue or 0),
        ratings=int(total[0]) if total else 0,
        average=float(total[1]) if total and total[1] is not None else None,
        per_owner=[(int(r[0]), r[1], int(r[2]), float(r[3])) for r in owners],
    )


async def assignees(db: Executor, unit_id: int) -> list[tuple[int, str | None]]:
    """Officers who may handle items of the unit (its own and its ancestors'), by name."""
    chain = await units.ancestor_ids(db, unit_id)
    rows = await db.fetchall(
        f"""SELECT DISTINCT m.id, m.name FROM roles r JOIN members m ON m.id = r.member_id
            WHERE r.role = 'officer' AND r.unit_id IN ({_marks(chain)})
            ORDER BY m.name, m.id""",
        chain,
    )
    return [(int(r[0]), r[1]) for r in rows]


async def names(db: Executor, member_ids: Sequence[int]) -> dict[int, str]:
    """Display names of officers (never called with an anonymous author's id)."""
    ids = sorted(set(member_ids))
    rows = await db.fetchall(f"SELECT id, name FROM members WHERE id IN ({_marks(ids)})", ids)
    return {int(r[0]): r[1] or "" for r in rows}


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One line of the officers' export; anonymous rows have no author at all."""

    ref: str
    kind: str
    category: str
    unit_id: int
    status: str
    anonymous: bool
    author: str | None
    created_at: float
    due_at: float
    first_reply_at: float | None
    closed_at: float | None
    owner: str | None
    stars: int | None
    comment: str
    body: str


async def export_rows(db: Executor, unit_ids: Sequence[int], now: float) -> list[ExportRow]:
    """Released suggestions of the units; the author column is only read for named rows."""
    ids = list(unit_ids)
    rows = await db.fetchall(
        f"""SELECT s.ref, s.kind, s.category, s.unit_id, s.status, s.anonymous,
                   CASE WHEN s.anonymous = 0 THEN a.name END AS author,
                   s.created_at, s.due_at, s.first_reply_at, s.closed_at, o.name AS owner,
                   r.stars, COALESCE(r.body, '') AS comment, s.body
            FROM suggestions s
            LEFT JOIN members a ON a.id = s.author_id AND s.anonymous = 0
            LEFT JOIN members o ON o.id = s.owner_id
            LEFT JOIN suggestion_messages r
                   ON r.suggestion_id = s.id AND r.kind = 'rating' AND r.release_at <= ?
            WHERE s.unit_id IN ({_marks(ids)}) AND s.release_at <= ?
            ORDER BY s.created_at, s.ref""",
        [now, *ids, now],
    )
    return [
        ExportRow(
            r["ref"],
            r["kind"],
            r["category"],
            r["unit_id"],
            r["status"],
            bool(r["anonymous"]),
            r["author"],
            r["created_at"],
            r["due_at"],
            r["first_reply_at"],
            r["closed_at"],
            r["owner"],
            r["stars"],
            r["comment"],
            r["body"],
        )
        for r in rows
    ]
