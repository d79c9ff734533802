"""Database invariants that must hold after any sequence of actions."""

from __future__ import annotations

from storage.db import Database


async def _table_exists(db: Database, name: str) -> bool:
    return bool(
        await db.fetchval("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    )


async def check_database(db: Database) -> None:
    """Raise AssertionError when any invariant is broken."""
    assert await db.fetchval("PRAGMA foreign_key_check") is None, "foreign key violated"
    bad_status = await db.fetchval(
        "SELECT COUNT(*) FROM members WHERE status NOT IN ('new','pending','verified','rejected')"
    )
    assert bad_status == 0
    unverified_in_unit = await db.fetchval(
        "SELECT COUNT(*) FROM members m JOIN join_requests r ON r.member_id = m.id "
        "WHERE r.status = 'pending' AND m.status = 'verified' AND r.kind = 'join'"
    )
    assert unverified_in_unit == 0, "a verified member still has a pending join request"
    two_pending = await db.fetchval(
        "SELECT COUNT(*) FROM (SELECT member_id FROM join_requests WHERE status = 'pending' "
        "GROUP BY member_id HAVING COUNT(*) > 1)"
    )
    assert two_pending == 0
