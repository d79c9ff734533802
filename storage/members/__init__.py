"""Members: the people who talk to the bot, their unit, language and status."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from storage.db import Executor, Row
from storage.rows import from_row


@dataclass(frozen=True, slots=True)
class Member:
    """A person known to the bot (registered or mid-registration)."""

    id: int
    telegram_id: int
    chat_id: int
    name: str | None
    unit_id: int | None
    employee_no: str | None
    language: str
    status: str
    unreachable: bool

    @property
    def verified(self) -> bool:
        """Only verified members see union content."""
        return self.status == "verified"


def member_from(row: Row | Mapping[str, Any]) -> Member:
    """A Member from a row (or the same columns as a mapping, e.g. a JSON object)."""
    return from_row(Member, row, unreachable=row["unreachable_at"] is not None)


async def by_telegram_id(db: Executor, telegram_id: int) -> Member | None:
    """Look a member up by their Telegram user id."""
    row = await db.fetchone("SELECT * FROM members WHERE telegram_id = ?", (telegram_id,))
    return member_from(row) if row else None


async def by_id(db: Executor, member_id: int) -> Member | None:
    """Look a member up by our own id."""
    row = await db.fetchone("SELECT * FROM members WHERE id = ?", (member_id,))
    return member_from(row) if row else None


async def reachable(db: Executor, member_ids: Iterable[int]) -> list[Member]:
    """The members with these ids whom the bot can still message, in the order given."""
    found = [await by_id(db, member_id) for member_id in member_ids]
    return [m for m in found if m is not None and not m.unreachable]


async def names(db: Executor, ids: Iterable[int]) -> dict[int, str]:
    """Names of the members with these ids, in one query (unknown ids are left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await db.fetchall(
        "SELECT id, name FROM members WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(wanted),),
    )
    return {int(r[0]): str(r[1]) for r in rows if r[1] is not None}


async def touch(db: Executor, telegram_id: int, chat_id: int, language: str, now: float) -> Member:
    """Create the member on first contact, else mark them seen and reachable again.

    A member who blocked the bot and now writes again is reachable: clearing
    unreachable_at here is what lets later broadcasts include them.
    """
    row = await db.fetchone(
        """INSERT INTO members (telegram_id, chat_id, language, created_at, last_seen_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (telegram_id) DO UPDATE
           SET last_seen_at = excluded.last_seen_at, chat_id = excluded.chat_id,
               unreachable_at = NULL
           RETURNING *""",
        (telegram_id, chat_id, language, now, now),
    )
    assert row is not None
    return member_from(row)


async def update_profile(
    db: Executor,
    member_id: int,
    *,
    name: str | None = None,
    language: str | None = None,
    unit_id: int | None = None,
    employee_no: str | None = None,
    clear_employee_no: bool = False,
) -> None:
    """Change the given profile fields; None leaves a field as it is."""
    sets: list[str] = []
    params: list[object] = []
    for column, value in (("name", name), ("language", language), ("unit_id", unit_id)):
        if value is not None:
            sets.append(f"{column} = ?")
            params.append(value)
    if employee_no is not None or clear_employee_no:
        sets.append("employee_no = ?")
        params.append(employee_no)
    if sets:
        params.append(member_id)
        await db.execute(f"UPDATE members SET {', '.join(sets)} WHERE id = ?", params)


async def set_status(db: Executor, member_id: int, status: str, now: float | None = None) -> None:
    """Move a member between new, pending, verified and rejected."""
    await db.execute("UPDATE members SET status = ? WHERE id = ?", (status, member_id))
    if status == "verified" and now is not None:
        await db.execute(
            "UPDATE members SET privacy_accepted_at = COALESCE(privacy_accepted_at, ?) "
            "WHERE id = ?",
            (now, member_id),
        )


async def accept_privacy(db: Executor, member_id: int, now: float) -> None:
    """Record that the member accepted the privacy notice."""
    await db.execute("UPDATE members SET privacy_accepted_at = ? WHERE id = ?", (now, member_id))


async def mark_unreachable(db: Executor, member_id: int, now: float) -> None:
    """The member blocked the bot: skip them until they write again."""
    await db.execute(
        "UPDATE members SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
        (now, member_id),
    )


async def in_units(
    db: Executor, unit_ids: list[int], *, verified_only: bool = True
) -> list[Member]:
    """Members whose unit is one of unit_ids."""
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    extra = " AND status = 'verified'" if verified_only else ""
    rows = await db.fetchall(
        f"SELECT * FROM members WHERE unit_id IN ({marks}){extra} ORDER BY name, id",
        list(unit_ids),
    )
    return [member_from(r) for r in rows]


async def count_in_units(db: Executor, unit_ids: list[int]) -> int:
    """How many verified members the units have."""
    if not unit_ids:
        return 0
    marks = ",".join("?" * len(unit_ids))
    return int(
        await db.fetchval(
            f"SELECT COUNT(*) FROM members WHERE status = 'verified' AND unit_id IN ({marks})",
            list(unit_ids),
        )
    )
