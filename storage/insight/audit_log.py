"""The audit log as admins browse and export it (anonymous authors never shown)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storage import audit
from storage.db import Database, Executor, Row
from storage.insight.figures import _marks

# --- audit log ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit entry with the actor's display name (None: system or forgotten)."""

    at: float
    actor_id: int | None
    actor: str | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]


#: Detail keys never shown or exported: a defence in case a feature recorded one by mistake.
HIDDEN_DETAILS = frozenset({"author", "author_id", "author_name", "seal", "author_seal"})

# Entries are ordered by time, never by id: an anonymous author's entry is stamped with the
# start of its day and must not sit next to what happened at the same minute.
_AUDIT_SELECT = """SELECT a.at, a.actor_id, m.name, a.action, a.target_type, a.target_id,
                          a.details
                   FROM audit_log a LEFT JOIN members m ON m.id = a.actor_id"""


def _audit_row(r: Row) -> AuditRow:
    try:
        details = json.loads(r[6] or "{}")
    except ValueError:
        details = {}
    if not isinstance(details, dict):
        details = {}
    clean = {k: v for k, v in details.items() if k not in HIDDEN_DETAILS}
    return AuditRow(float(r[0]), r[1], r[2], str(r[3]), r[4], r[5], clean)


def _audit_filter(action: str | None, since: float | None) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if action:
        where.append("a.action LIKE ? ESCAPE '\\'")
        params.append(action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if since is not None:
        where.append("a.at >= ?")
        params.append(since)
    return (" WHERE " + " AND ".join(where)) if where else "", params


async def audit_page(
    db: Executor, *, offset: int, limit: int, action: str | None = None
) -> tuple[list[AuditRow], int]:
    """One page of entries, newest first, and the total (optionally one action family)."""
    where, params = _audit_filter(action, None)
    total = int(await db.fetchval(f"SELECT COUNT(*) FROM audit_log a{where}", params) or 0)
    rows = await db.fetchall(
        f"{_AUDIT_SELECT}{where} ORDER BY a.at DESC, a.action, a.target_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_audit_row(r) for r in rows], total


async def audit_all(
    db: Executor, *, since: float | None = None, action: str | None = None
) -> list[AuditRow]:
    """Every entry (from `since`), oldest first, for the export."""
    where, params = _audit_filter(action, since)
    rows = await db.fetchall(f"{_AUDIT_SELECT}{where} ORDER BY a.at, a.action, a.target_id", params)
    return [_audit_row(r) for r in rows]


async def audit_families(db: Executor) -> list[tuple[str, int]]:
    """Action families (the part before the first "_") with their counts."""
    rows = await db.fetchall(
        """SELECT CASE WHEN instr(action, '_') > 0 THEN substr(action, 1, instr(action, '_') - 1)
                  ELSE action END AS family, COUNT(*)
           FROM audit_log GROUP BY family ORDER BY COUNT(*) DESC, family"""
    )
    return [(str(r[0]), int(r[1])) for r in rows]


async def target_labels(
    db: Executor, targets: Iterable[tuple[str | None, str | None]]
) -> dict[tuple[str, str], str]:
    """Readable names of audit targets: member and officer names, unit names, event titles,
    suggestion references (never their authors)."""
    wanted: dict[str, set[int]] = {}
    for kind, ident in targets:
        if kind and ident and ident.lstrip("-").isdigit():
            wanted.setdefault(kind, set()).add(int(ident))
    queries = {
        "member": "SELECT id, name FROM members WHERE id IN ({})",
        "unit": "SELECT id, name FROM units WHERE id IN ({})",
        "event": "SELECT id, title FROM events WHERE id IN ({})",
        "suggestion": "SELECT id, ref FROM suggestions WHERE id IN ({})",
        "survey": "SELECT id, title FROM surveys WHERE id IN ({})",
        "study_plan": "SELECT id, title FROM study_plans WHERE id IN ({})",
    }
    out: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        if kind not in queries:
            continue
        listed = sorted(ids)
        for ident, label in await db.fetchall(queries[kind].format(_marks(listed)), listed):
            if label:
                out[(kind, str(ident))] = str(label)
    return out


async def export(db: Database, actor: int, family: str | None, now: float) -> list[AuditRow]:
    """Every entry (of one family of actions, or all), recording who exported how many."""
    async with db.transaction() as tx:
        rows = await audit_all(tx, action=None if family is None else family + "_")
        await audit.record(
            tx, actor, "audit_export", now, details={"rows": len(rows), "kind": family}
        )
    return rows
