"""Event reads: one event, a member's upcoming ones, audiences, seats, sign-ups, rosters."""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Executor
from storage.events import ACTIVE, Event, RosterEntry, Seats, Signup, marks, to_event, to_signup


async def get(db: Executor, event_id: int) -> Event | None:
    """One event with its units and reminder offsets, or None."""
    row = await db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
    if row is None:
        return None
    units = await db.fetchall(
        "SELECT unit_id FROM event_units WHERE event_id = ? ORDER BY unit_id", (event_id,)
    )
    rem = await db.fetchall(
        "SELECT before_seconds FROM event_reminders WHERE event_id = ? "
        "ORDER BY before_seconds DESC",
        (event_id,),
    )
    return to_event(row, (r[0] for r in units), (r[0] for r in rem))


async def upcoming_for_member(
    db: Executor, member_id: int, now: float, limit: int = 50
) -> list[Event]:
    """Published events not yet over whose audience includes the member's unit."""
    rows = await db.fetchall(
        f"""{ANCESTORS}
           SELECT DISTINCT e.* FROM events e JOIN event_units eu ON eu.event_id = e.id
           WHERE e.status = 'published' AND e.ends_at > ? AND eu.unit_id IN (SELECT id FROM up)
           ORDER BY e.starts_at, e.id LIMIT ?""",
        (member_id, now, limit),
    )
    return [to_event(r) for r in rows]


async def in_scope(
    db: Executor, scope_unit_ids: Sequence[int], now: float, *, past: bool = False, limit: int = 50
) -> list[Event]:
    """Events every audience unit of which lies in the officer's scope (upcoming or past)."""
    if not scope_unit_ids:
        return []
    when = (
        "e.ends_at <= ? ORDER BY e.starts_at DESC" if past else "e.ends_at > ? ORDER BY e.starts_at"
    )
    rows = await db.fetchall(
        f"""SELECT e.* FROM events e
           WHERE NOT EXISTS (SELECT 1 FROM event_units eu WHERE eu.event_id = e.id
                             AND eu.unit_id NOT IN ({marks(scope_unit_ids)}))
             AND {when}, e.id LIMIT ?""",
        [*scope_unit_ids, now, limit],
    )
    return [to_event(r) for r in rows]


#: The member's unit and its ancestors (an event for a branch reaches its groups).
ANCESTORS = """WITH RECURSIVE up(id, parent_id) AS (
       SELECT u.id, u.parent_id FROM units u JOIN members m ON m.unit_id = u.id
       WHERE m.id = ? AND m.status = 'verified'
       UNION SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)"""


async def in_audience(db: Executor, event_id: int, member_id: int) -> bool:
    """Whether a verified member's unit lies under one of the event's units."""
    return bool(
        await db.fetchval(
            f"""{ANCESTORS}
               SELECT 1 FROM event_units WHERE event_id = ? AND unit_id IN (SELECT id FROM up)""",
            (member_id, event_id),
        )
    )


async def audience_member_ids(db: Executor, event_id: int) -> list[int]:
    """Verified members of the event's units and their sub-units."""
    rows = await db.fetchall(
        """WITH RECURSIVE sub(id) AS (
               SELECT unit_id FROM event_units WHERE event_id = ?
               UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
           SELECT id FROM members WHERE status = 'verified' AND unit_id IN (SELECT id FROM sub)
           ORDER BY id""",
        (event_id,),
    )
    return [r[0] for r in rows]


async def search_audience(db: Executor, event_id: int, text: str, limit: int = 10) -> list[int]:
    """Audience members whose name contains the text or whose employee number equals it."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await db.fetchall(
        """WITH RECURSIVE sub(id) AS (
               SELECT unit_id FROM event_units WHERE event_id = ?
               UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
           SELECT id FROM members WHERE status = 'verified' AND unit_id IN (SELECT id FROM sub)
             AND (name LIKE ? ESCAPE '\\' OR employee_no = ?) ORDER BY name, id LIMIT ?""",
        (event_id, pattern, text, limit),
    )
    return [r[0] for r in rows]


async def seats(db: Executor, event_id: int) -> Seats:
    """Capacity and how many confirmed, offered and waiting."""
    return (await seats_many(db, [event_id])).get(event_id, Seats(None, 0, 0, 0))


async def seats_many(db: Executor, event_ids: Sequence[int]) -> dict[int, Seats]:
    """Seats of several events in one query (for lists)."""
    if not event_ids:
        return {}
    rows = await db.fetchall(
        f"""SELECT e.id, e.capacity,
               SUM(s.status = 'confirmed'), SUM(s.status = 'offered'), SUM(s.status = 'waitlisted')
           FROM events e LEFT JOIN event_signups s ON s.event_id = e.id
           WHERE e.id IN ({marks(event_ids)}) GROUP BY e.id""",
        list(event_ids),
    )
    return {r[0]: Seats(r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0)) for r in rows}


async def signup_of(db: Executor, event_id: int, member_id: int) -> Signup | None:
    """The member's row for the event (any status), or None."""
    row = await db.fetchone(
        "SELECT * FROM event_signups WHERE event_id = ? AND member_id = ?", (event_id, member_id)
    )
    return to_signup(row) if row else None


async def signups_of_member(
    db: Executor, member_id: int, event_ids: Sequence[int]
) -> dict[int, Signup]:
    """The member's rows for several events, by event id."""
    if not event_ids:
        return {}
    rows = await db.fetchall(
        f"SELECT * FROM event_signups WHERE member_id = ? AND event_id IN ({marks(event_ids)})",
        [member_id, *event_ids],
    )
    return {r["event_id"]: to_signup(r) for r in rows}


async def position(db: Executor, signup: Signup) -> int | None:
    """1-based place in the waitlist, or None when not waiting."""
    if signup.status != "waitlisted":
        return None
    return int(
        await db.fetchval(
            "SELECT COUNT(*) FROM event_signups WHERE event_id = ? AND status = 'waitlisted' "
            "AND seq <= ?",
            (signup.event_id, signup.seq),
        )
    )


async def signups(db: Executor, event_id: int, statuses: Sequence[str]) -> list[Signup]:
    """Rows of the given statuses, in arrival order."""
    rows = await db.fetchall(
        f"SELECT * FROM event_signups WHERE event_id = ? AND status IN ({marks(statuses)}) "
        "ORDER BY seq",
        [event_id, *statuses],
    )
    return [to_signup(r) for r in rows]


async def roster(
    db: Executor, event_id: int, statuses: Sequence[str] = ACTIVE
) -> list[RosterEntry]:
    """Sign-ups with names, in arrival order."""
    rows = await db.fetchall(
        f"""SELECT s.*, m.name AS m_name, m.unit_id AS m_unit, m.employee_no AS m_no
           FROM event_signups s JOIN members m ON m.id = s.member_id
           WHERE s.event_id = ? AND s.status IN ({marks(statuses)}) ORDER BY s.seq""",
        [event_id, *statuses],
    )
    return [RosterEntry(to_signup(r), r["m_name"] or "", r["m_unit"], r["m_no"]) for r in rows]


async def still_wanted(
    db: Executor, event_id: int, member_id: int, statuses: Sequence[str] | None
) -> bool:
    """Whether a queued message still applies: event published, sign-up in one of statuses."""
    if statuses is None:
        return bool(
            await db.fetchval(
                "SELECT 1 FROM events WHERE id = ? AND status = 'published'", (event_id,)
            )
        )
    return bool(
        await db.fetchval(
            f"""SELECT 1 FROM events e JOIN event_signups s ON s.event_id = e.id
               WHERE e.id = ? AND e.status = 'published' AND s.member_id = ?
                 AND s.status IN ({marks(statuses)})""",
            [event_id, member_id, *statuses],
        )
    )
