"""Where a broadcast stands, as features and officers read it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage import outbox
from storage.db import Database

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class BroadcastStats:
    """Where a broadcast stands: counts by outcome, acknowledgements, lifecycle."""

    id: int
    kind: str
    ref: str | None
    state: str
    total: int
    sent: int
    failed: int
    failed_by_reason: dict[str, int]
    blocked: int
    skipped: int
    cancelled: int
    pending: int
    acknowledged: int
    created_by: int | None
    due_at: float
    started_at: float | None
    finished_at: float | None

    @property
    def processed(self) -> int:
        """Rows that reached a final state."""
        return self.sent + self.failed + self.blocked + self.skipped + self.cancelled

    @property
    def finished(self) -> bool:
        """Done or cancelled: nothing more will be sent."""
        return self.state in ("done", "cancelled")


Listener = Callable[[BroadcastStats], Awaitable[None]]


async def broadcast_stats(db: Database, broadcast_id: int) -> BroadcastStats:
    """Counts of one broadcast from the outbox; KeyError when it does not exist."""
    broadcast = await outbox.get(db, broadcast_id)
    if broadcast is None:
        raise KeyError(broadcast_id)
    counts = await outbox.counts(db, broadcast_id)
    failed_by_reason: dict[str, int] = {}
    for (state, error), n in counts.by_error.items():
        if state == "failed":
            failed_by_reason[error] = failed_by_reason.get(error, 0) + n
    return BroadcastStats(
        id=broadcast.id,
        kind=broadcast.kind,
        ref=broadcast.ref,
        state=broadcast.state,
        total=broadcast.total,
        sent=counts.get("sent"),
        failed=counts.get("failed"),
        failed_by_reason=failed_by_reason,
        blocked=counts.get("blocked"),
        skipped=counts.get("skipped"),
        cancelled=counts.get("cancelled"),
        pending=counts.get("pending") + counts.get("sending"),
        acknowledged=counts.acknowledged,
        created_by=broadcast.created_by,
        due_at=broadcast.due_at,
        started_at=broadcast.started_at,
        finished_at=broadcast.finished_at,
    )


async def guarded(listener: Listener, stats: BroadcastStats) -> None:
    """A failing listener (e.g. its message was deleted) must not stop the engine."""
    try:
        await listener(stats)
    except Exception:
        log.warning("progress listener failed for broadcast %s", stats.id, exc_info=True)
