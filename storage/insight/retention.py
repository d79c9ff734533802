"""Housekeeping: delete what is past its retention period."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Executor

# --- housekeeping -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Retention:
    """Cut-off moments: rows older than these go; None keeps them forever."""

    audit_before: float | None
    outbox_before: float | None
    survey_state_before: float | None


async def housekeeping(db: Executor, keep: Retention) -> dict[str, int]:
    """Delete what is past its retention period; return rows removed per kind."""
    removed: dict[str, int] = {}
    if keep.audit_before is not None:
        removed["audit_log"] = await db.execute(
            "DELETE FROM audit_log WHERE at < ?", (keep.audit_before,)
        )
    if keep.outbox_before is not None:
        # Finished broadcasts keep their own row (total, summary); only per-recipient rows go.
        removed["outbox"] = await db.execute(
            """DELETE FROM outbox WHERE state NOT IN ('pending', 'sending')
               AND broadcast_id IN (SELECT id FROM broadcasts
                                    WHERE state IN ('done', 'cancelled')
                                      AND finished_at < ?)""",
            (keep.outbox_before,),
        )
        removed["insight_digests"] = await db.execute(
            "DELETE FROM insight_digests WHERE due_at < ? AND finished_at IS NOT NULL",
            (keep.outbox_before,),
        )
    if keep.survey_state_before is not None:
        removed["survey_progress"] = await db.execute(
            """DELETE FROM survey_progress
               WHERE survey_id IN (SELECT id FROM surveys
                                   WHERE (state = 'closed'
                                          AND COALESCE(closed_at, closes_at, 0) < ?)
                                      OR (closes_at IS NOT NULL AND closes_at < ?))
                  OR (preview = 1 AND updated_at < ?)""",
            (keep.survey_state_before,) * 3,
        )
    return removed


async def prune_snapshots(db: Executor, before_day: str) -> int:
    """Forget daily counts older than the dashboard can compare with."""
    return await db.execute("DELETE FROM insight_snapshots WHERE day < ?", (before_day,))
