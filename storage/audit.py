"""The audit log of officer actions: who, what, target, when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Executor


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded officer action."""

    id: int
    at: float
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]


async def record(
    db: Executor,
    actor_id: int | None,
    action: str,
    now: float,
    *,
    target_type: str | None = None,
    target_id: object = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry; details must never identify an anonymous author."""
    await db.execute(
        "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, details) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            now,
            actor_id,
            action,
            target_type,
            None if target_id is None else str(target_id),
            json.dumps(details or {}, ensure_ascii=False),
        ),
    )


async def recent(db: Executor, *, limit: int = 20, offset: int = 0) -> list[AuditEntry]:
    """Newest entries first."""
    rows = await db.fetchall(
        "SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset)
    )
    return [
        AuditEntry(
            r["id"],
            r["at"],
            r["actor_id"],
            r["action"],
            r["target_type"],
            r["target_id"],
            json.loads(r["details"]),
        )
        for r in rows
    ]
