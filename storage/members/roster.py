"""The imported roster (who works where) and the members roster officers export."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from storage import audit, members
from storage.db import Executor


def _marks(ids: Sequence[object]) -> str:
    return ",".join("?" * len(ids)) or "NULL"


def norm_employee_no(raw: str) -> str:
    """Employee numbers compare without case or surrounding space ("a-12 " == "A-12")."""
    return raw.strip().upper()


def norm_name(raw: str) -> str:
    """Names compare without spaces, width or case ("张 三" == "张三", "Li Na" == "li na")."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).casefold()


@dataclass(frozen=True, slots=True)
class Entry:
    """One roster line ready to be stored."""

    name: str
    employee_no: str
    unit_id: int


@dataclass(frozen=True, slots=True)
class Stored:
    """A roster line as stored, with the member it matched (if any)."""

    id: int
    name: str
    employee_no: str
    unit_id: int
    member_id: int | None


async def existing(db: Executor, employee_nos: Sequence[str]) -> dict[str, Stored]:
    """Stored lines for these employee numbers (to tell new lines from updates)."""
    out: dict[str, Stored] = {}
    numbers = list(dict.fromkeys(employee_nos))
    for i in range(0, len(numbers), 500):
        chunk = numbers[i : i + 500]
        rows = await db.fetchall(
            f"""SELECT id, name, employee_no, unit_id, member_id FROM roster_entries
                WHERE employee_no IN ({_marks(chunk)})""",
            chunk,
        )
        for r in rows:
            out[r[2]] = Stored(int(r[0]), r[1], r[2], int(r[3]), r[4])
    return out


async def import_entries(
    db: Executor, entries: Sequence[Entry], by: int | None, now: float
) -> tuple[int, int]:
    """Insert new lines and update known ones (call in a transaction); (added, updated)."""
    known = await existing(db, [e.employee_no for e in entries])
    added = updated = 0
    for e in entries:
        if e.employee_no in known:
            await db.execute(
                """UPDATE roster_entries SET name = ?, unit_id = ?, imported_by = ?,
                       imported_at = ? WHERE employee_no = ?""",
                (e.name, e.unit_id, by, now, e.employee_no),
            )
            updated += 1
        else:
            await db.execute(
                """INSERT INTO roster_entries (employee_no, name, unit_id, imported_by,
                       imported_at) VALUES (?, ?, ?, ?, ?)""",
                (e.employee_no, e.name, e.unit_id, by, now),
            )
            added += 1
    return added, updated


async def place(
    db: Executor, member_id: int, name: str, employee_no: object, now: float
) -> int | None:
    """At registration: a roster line with this employee number and name puts the member
    in its unit, verified; returns the unit (None: no match, nothing changed).

    The name must match too, because employee numbers are easy to guess; a line is
    used once, so a second person giving the same number goes through approval.
    """
    if not isinstance(employee_no, str) or not employee_no.strip():
        return None
    row = await db.fetchone(
        "SELECT id, name, unit_id FROM roster_entries WHERE employee_no = ? "
        "AND member_id IS NULL",
        (norm_employee_no(employee_no),),
    )
    if row is None or norm_name(row[1]) != norm_name(name):
        return None
    unit_id = int(row[2])
    await db.execute(
        "UPDATE roster_entries SET member_id = ?, matched_at = ? WHERE id = ?",
        (member_id, now, row[0]),
    )
    await members.update_profile(db, member_id, unit_id=unit_id)
    await members.set_status(db, member_id, "verified", now)
    await audit.record(
        db, None, "roster_match", now, target_type="member", target_id=member_id,
        details={"unit_id": unit_id},
    )
    return unit_id


async def count(db: Executor) -> tuple[int, int]:
    """Roster lines stored, and how many of them matched a member."""
    row = await db.fetchone("SELECT COUNT(*), COUNT(member_id) FROM roster_entries")
    return (int(row[0]), int(row[1])) if row else (0, 0)


@dataclass(frozen=True, slots=True)
class RosterMember:
    """One line of the members roster export."""

    name: str | None
    employee_no: str | None
    unit_id: int | None
    status: str
    language: str
    registered_at: float | None
    last_seen_at: float


async def members_of(db: Executor, unit_ids: Sequence[int]) -> list[RosterMember]:
    """Registered and pending members of the units, by unit and name."""
    ids = list(unit_ids)
    rows = await db.fetchall(
        f"""SELECT name, employee_no, unit_id, status, language, privacy_accepted_at,
                   last_seen_at
            FROM members WHERE unit_id IN ({_marks(ids)}) AND status IN ('pending', 'verified')
            ORDER BY unit_id, name, id""",
        ids,
    )
    return [RosterMember(r[0], r[1], r[2], r[3], r[4], r[5], float(r[6])) for r in rows]


async def unmatched_of(db: Executor, unit_ids: Sequence[int]) -> list[Stored]:
    """Roster lines of the units nobody registered with yet."""
    ids = list(unit_ids)
    rows = await db.fetchall(
        f"""SELECT id, name, employee_no, unit_id, member_id FROM roster_entries
            WHERE unit_id IN ({_marks(ids)}) AND member_id IS NULL
            ORDER BY unit_id, name, employee_no""",
        ids,
    )
    return [Stored(int(r[0]), r[1], r[2], int(r[3]), r[4]) for r in rows]
