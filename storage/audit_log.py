"""The admins' audit-log export: the rows and the export's own audit row in one transaction."""

from __future__ import annotations

from storage import audit, insight
from storage.db import Database
from storage.insight import AuditRow


async def export(db: Database, actor: int, family: str | None, now: float) -> list[AuditRow]:
    """Every entry (of one family of actions, or all), recording who exported how many."""
    async with db.transaction() as tx:
        rows = await insight.audit_all(tx, action=None if family is None else family + "_")
        await audit.record(
            tx, actor, "audit_export", now, details={"rows": len(rows), "kind": family}
        )
    return rows
