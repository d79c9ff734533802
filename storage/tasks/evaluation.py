"""Evaluation storage: scorecard files, the task and suggestion figures, the monthly digest."""

from __future__ import annotations

from collections.abc import Sequence

from storage import audit, outbox
from storage.db import Database, Executor


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids)) or "NULL"


async def active_body(db: Executor) -> str | None:
    """The YAML text of the scorecard in force, or None (the shipped default applies)."""
    value = await db.fetchval("SELECT body FROM scorecards WHERE state = 'active'")
    return str(value) if value is not None else None


async def draft_body(db: Executor, draft_id: int) -> str | None:
    """An uploaded scorecard that waits for its preview to be confirmed."""
    value = await db.fetchval(
        "SELECT body FROM scorecards WHERE id = ? AND state = 'draft'", (draft_id,)
    )
    return str(value) if value is not None else None


async def upload(db: Database, actor: int, body: str, now: float) -> int:
    """Keep a checked scorecard file as a draft (audited); returns its id."""
    async with db.transaction() as tx:
        draft_id = await tx.insert(
            "INSERT INTO scorecards (body, uploaded_by, uploaded_at) VALUES (?, ?, ?)",
            (body, actor, now),
        )
        await audit.record(
            tx, actor, "scorecard_upload", now, target_type="scorecard", target_id=draft_id
        )
    return draft_id


async def apply(db: Database, actor: int, draft_id: int, now: float) -> bool:
    """Put a draft in force, replacing the one before (audited); False for a stale draft."""
    async with db.transaction() as tx:
        if await draft_body(tx, draft_id) is None:
            return False
        await tx.execute("UPDATE scorecards SET state = 'replaced' WHERE state = 'active'")
        await tx.execute(
            "UPDATE scorecards SET state = 'active', applied_at = ? WHERE id = ?", (now, draft_id)
        )
        await audit.record(
            tx, actor, "scorecard_apply", now, target_type="scorecard", target_id=draft_id
        )
    return True


async def task_rates(
    db: Executor, unit_ids: Sequence[int], start: float, end: float
) -> tuple[float | None, float | None]:
    """Of the units' tasks due in [start, end): share reported by the due time, share accepted."""
    row = await db.fetchone(
        f"""SELECT COUNT(*), SUM(a.submitted_at IS NOT NULL AND a.submitted_at <= t.due_at),
                   SUM(a.state = 'accepted')
            FROM task_units a JOIN tasks t ON t.id = a.task_id
            WHERE a.unit_id IN ({_marks(unit_ids)}) AND t.due_at >= ? AND t.due_at < ?""",
        (*unit_ids, start, end),
    )
    total = int(row[0] or 0) if row else 0
    if not row or not total:
        return None, None
    return int(row[1] or 0) / total, int(row[2] or 0) / total


async def suggestions_on_time(
    db: Executor, unit_ids: Sequence[int], start: float, end: float
) -> float | None:
    """Of the suggestions due in [start, end): share answered (or closed) by their due time."""
    row = await db.fetchone(
        f"""SELECT COUNT(*), SUM(COALESCE(first_reply_at, closed_at) <= due_at)
            FROM suggestions WHERE unit_id IN ({_marks(unit_ids)}) AND status != 'withdrawn'
              AND due_at >= ? AND due_at < ? AND release_at < ?""",
        (*unit_ids, start, end, end),
    )
    total = int(row[0] or 0) if row else 0
    return int(row[1] or 0) / total if row and total else None


async def queue_digest(
    db: Database, month: str, payload: str, officers: Sequence[int], now: float
) -> bool:
    """Queue the month's digest to the officers once; False when it was queued before."""
    async with db.transaction() as tx:
        fresh = await tx.execute(
            "INSERT OR IGNORE INTO scorecard_digests (month, at) VALUES (?, ?)", (month, now)
        )
        if not fresh:
            return False
        await outbox.create(
            tx, kind="scorecard_digest", payload=payload, member_ids=officers, due_at=now,
            now=now, ref=month,
        )  # fmt: skip
        await audit.record(tx, None, "scorecard_digest", now, target_type="month", target_id=month)
    return True


async def officers(db: Executor) -> list[int]:
    """Every member who is officer of some unit."""
    rows = await db.fetchall(
        "SELECT DISTINCT member_id FROM roles WHERE role = 'officer' ORDER BY member_id"
    )
    return [r[0] for r in rows]


async def record_export(db: Database, actor: int, month: str, what: str, now: float) -> None:
    """Write the audit row of a scorecard export (xlsx or chart)."""
    async with db.transaction() as tx:
        await audit.record(
            tx, actor, "scorecard_export", now, target_type="month", target_id=month,
            details={"what": what},
        )  # fmt: skip
