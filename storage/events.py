"""Events: sign-ups with capacity and an ordered waitlist, reminders, check-in, feedback.

Every change of a seat runs inside one `db.transaction()` (BEGIN IMMEDIATE), so
the seat count read and the status written can never interleave with another
sign-up: no overbooking, no lost sign-up, waitlist in arrival order.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from storage.db import Executor, Row, Transaction

CATEGORIES: tuple[str, ...] = ("culture", "sports", "training", "meeting", "volunteering", "care")
#: Statuses that hold a place (a seat, a held seat, or a place in the queue).
ACTIVE: tuple[str, ...] = ("confirmed", "offered", "waitlisted")
#: (now, starts_at) -> when an offer made now lapses, or None to give the seat at once.
OfferPolicy = Callable[[float, float], float | None]
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in a hall
CODE_LENGTH = 6


@dataclass(frozen=True, slots=True)
class NewEvent:
    """What the creation wizard collected."""

    title: str
    description: str
    category: str
    starts_at: float
    ends_at: float
    place: str
    capacity: int | None
    signup_deadline: float
    unit_ids: tuple[int, ...]
    reminders: tuple[int, ...] = (86400, 3600)
    photo_file_id: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One event as stored."""

    id: int
    title: str
    description: str
    category: str
    starts_at: float
    ends_at: float
    place: str
    capacity: int | None
    signup_deadline: float
    photo_file_id: str | None
    status: str
    checkin_code: str
    sequence: int
    created_by: int | None
    created_at: float
    updated_at: float
    unit_ids: tuple[int, ...] = ()
    reminders: tuple[int, ...] = ()

    @property
    def published(self) -> bool:
        """Not cancelled."""
        return self.status == "published"


@dataclass(frozen=True, slots=True)
class Signup:
    """A member's place in an event."""

    id: int
    event_id: int
    member_id: int
    status: str
    seq: int
    signed_up_at: float
    offer_expires_at: float | None
    checked_in_at: float | None
    added_by: int | None

    @property
    def active(self) -> bool:
        """Holds a seat, a held seat or a place in the queue."""
        return self.status in ACTIVE


@dataclass(frozen=True, slots=True)
class Seats:
    """How full an event is."""

    capacity: int | None
    confirmed: int
    offered: int
    waitlisted: int

    @property
    def free(self) -> int | None:
        """Seats nobody holds (None: no limit)."""
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.confirmed - self.offered)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A waitlisted member moved up: offered a held seat, or given it at once."""

    event_id: int
    member_id: int
    offered: bool
    expires_at: float | None


class Outcome(Enum):
    """What a seat operation did (or why it did nothing)."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    LEFT = "left"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    EVENT_CANCELLED = "event_cancelled"
    NOT_IN_AUDIENCE = "not_in_audience"
    CLOSED = "closed"
    DEADLINE_PASSED = "deadline_passed"
    NOT_SIGNED_UP = "not_signed_up"
    NOT_OFFERED = "not_offered"
    OFFER_EXPIRED = "offer_expired"
    FULL = "full"
    CHECKED_IN = "checked_in"


@dataclass(frozen=True, slots=True)
class Result:
    """Outcome of a seat operation, the member's row after it, and who moved up."""

    outcome: Outcome
    signup: Signup | None = None
    position: int | None = None
    promotions: list[Promotion] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """A sign-up with the member's name, for officers' lists and the export."""

    signup: Signup
    name: str
    unit_id: int | None
    employee_no: str | None


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """Ratings and comments of one event."""

    count: int
    mean: float | None
    distribution: dict[int, int]
    comments: list[str]


def _event(row: Row, unit_ids: Iterable[int] = (), reminders: Iterable[int] = ()) -> Event:
    return Event(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        category=row["category"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        place=row["place"],
        capacity=row["capacity"],
        signup_deadline=row["signup_deadline"],
        photo_file_id=row["photo_file_id"],
        status=row["status"],
        checkin_code=row["checkin_code"],
        sequence=row["sequence"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        unit_ids=tuple(unit_ids),
        reminders=tuple(reminders),
    )


def _signup(row: Row) -> Signup:
    return Signup(
        id=row["id"],
        event_id=row["event_id"],
        member_id=row["member_id"],
        status=row["status"],
        seq=row["seq"],
        signed_up_at=row["signed_up_at"],
        offer_expires_at=row["offer_expires_at"],
        checked_in_at=row["checked_in_at"],
        added_by=row["added_by"],
    )


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


# --- events -----------------------------------------------------------------------------


async def create(tx: Transaction, new: NewEvent, created_by: int | None, now: float) -> Event:
    """Insert a published event with its audience units and reminder rows."""
    code = await _fresh_code(tx)
    event_id = await tx.insert(
        """INSERT INTO events (title, description, category, starts_at, ends_at, place,
               capacity, signup_deadline, photo_file_id, checkin_code, created_by,
               created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            new.title,
            new.description,
            new.category,
            new.starts_at,
            new.ends_at,
            new.place,
            new.capacity,
            new.signup_deadline,
            new.photo_file_id,
            code,
            created_by,
            now,
            now,
        ),
    )
    await tx.executemany(
        "INSERT OR IGNORE INTO event_units (event_id, unit_id) VALUES (?, ?)",
        [(event_id, u) for u in new.unit_ids],
    )
    await tx.executemany(
        """INSERT OR IGNORE INTO event_reminders (event_id, before_seconds, due_at, fired_at)
           VALUES (?, ?, ?, ?)""",
        # A reminder whose time already passed is born fired: it must not go out late.
        [
            (event_id, b, new.starts_at - b, now if new.starts_at - b <= now else None)
            for b in new.reminders
        ],
    )
    event = await get(tx, event_id)
    assert event is not None
    return event


async def _fresh_code(db: Executor) -> str:
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not await db.fetchval("SELECT 1 FROM events WHERE checkin_code = ?", (code,)):
            return code


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
    return _event(row, (r[0] for r in units), (r[0] for r in rem))


async def by_checkin_code(db: Executor, code: str) -> Event | None:
    """The event a check-in code belongs to (codes are compared case-insensitively)."""
    event_id = await db.fetchval(
        "SELECT id FROM events WHERE checkin_code = ?", (code.strip().upper(),)
    )
    return await get(db, int(event_id)) if event_id is not None else None


async def upcoming_for_member(
    db: Executor, member_id: int, now: float, limit: int = 50
) -> list[Event]:
    """Published events not yet over whose audience includes the member's unit."""
    rows = await db.fetchall(
        f"""{_ANCESTORS}
           SELECT DISTINCT e.* FROM events e JOIN event_units eu ON eu.event_id = e.id
           WHERE e.status = 'published' AND e.ends_at > ? AND eu.unit_id IN (SELECT id FROM up)
           ORDER BY e.starts_at, e.id LIMIT ?""",
        (member_id, now, limit),
    )
    return [_event(r) for r in rows]


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
                             AND eu.unit_id NOT IN ({_marks(scope_unit_ids)}))
             AND {when}, e.id LIMIT ?""",
        [*scope_unit_ids, now, limit],
    )
    return [_event(r) for r in rows]


#: The member's unit and its ancestors (an event for a branch reaches its groups).
_ANCESTORS = """WITH RECURSIVE up(id, parent_id) AS (
       SELECT u.id, u.parent_id FROM units u JOIN members m ON m.unit_id = u.id
       WHERE m.id = ? AND m.status = 'verified'
       UNION SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)"""


async def in_audience(db: Executor, event_id: int, member_id: int) -> bool:
    """Whether a verified member's unit lies under one of the event's units."""
    return bool(
        await db.fetchval(
            f"""{_ANCESTORS}
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


async def cancel_event(tx: Transaction, event_id: int, now: float) -> list[Signup]:
    """Mark the event cancelled, drop pending reminders; return the active sign-ups to tell."""
    changed = await tx.execute(
        "UPDATE events SET status = 'cancelled', cancelled_at = ?, updated_at = ?, "
        "sequence = sequence + 1 WHERE id = ? AND status = 'published'",
        (now, now, event_id),
    )
    if not changed:
        return []
    await tx.execute(
        "DELETE FROM event_reminders WHERE event_id = ? AND fired_at IS NULL", (event_id,)
    )
    return await signups(tx, event_id, ACTIVE)


async def reschedule(
    tx: Transaction, event_id: int, starts_at: float, ends_at: float, now: float
) -> Event | None:
    """Move the event; a deadline "at start" moves with it, none ends up after the start."""
    # On the right of SET, starts_at is still the old start.
    changed = await tx.execute(
        """UPDATE events SET starts_at = ?, ends_at = ?,
               signup_deadline = CASE WHEN signup_deadline >= starts_at THEN ?
                                      ELSE MIN(signup_deadline, ?) END,
               sequence = sequence + 1, updated_at = ? WHERE id = ? AND status = 'published'""",
        (starts_at, ends_at, starts_at, starts_at, now, event_id),
    )
    if not changed:
        return None
    # Re-arm reminders now due in the future; one already past at the new time is skipped.
    await tx.execute(
        """UPDATE event_reminders SET due_at = ? - before_seconds,
               fired_at = CASE WHEN ? - before_seconds > ? THEN NULL ELSE COALESCE(fired_at, ?) END
           WHERE event_id = ?""",
        (starts_at, starts_at, now, now, event_id),
    )
    return await get(tx, event_id)


async def set_place(tx: Transaction, event_id: int, place: str, now: float) -> Event | None:
    """Change the place of a published event."""
    changed = await tx.execute(
        "UPDATE events SET place = ?, sequence = sequence + 1, updated_at = ? "
        "WHERE id = ? AND status = 'published'",
        (place, now, event_id),
    )
    return await get(tx, event_id) if changed else None


# --- seats ------------------------------------------------------------------------------


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
           WHERE e.id IN ({_marks(event_ids)}) GROUP BY e.id""",
        list(event_ids),
    )
    return {r[0]: Seats(r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0)) for r in rows}


async def signup_of(db: Executor, event_id: int, member_id: int) -> Signup | None:
    """The member's row for the event (any status), or None."""
    row = await db.fetchone(
        "SELECT * FROM event_signups WHERE event_id = ? AND member_id = ?", (event_id, member_id)
    )
    return _signup(row) if row else None


async def signups_of_member(
    db: Executor, member_id: int, event_ids: Sequence[int]
) -> dict[int, Signup]:
    """The member's rows for several events, by event id."""
    if not event_ids:
        return {}
    rows = await db.fetchall(
        f"SELECT * FROM event_signups WHERE member_id = ? AND event_id IN ({_marks(event_ids)})",
        [member_id, *event_ids],
    )
    return {r["event_id"]: _signup(r) for r in rows}


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
        f"SELECT * FROM event_signups WHERE event_id = ? AND status IN ({_marks(statuses)}) "
        "ORDER BY seq",
        [event_id, *statuses],
    )
    return [_signup(r) for r in rows]


async def roster(
    db: Executor, event_id: int, statuses: Sequence[str] = ACTIVE
) -> list[RosterEntry]:
    """Sign-ups with names, in arrival order."""
    rows = await db.fetchall(
        f"""SELECT s.*, m.name AS m_name, m.unit_id AS m_unit, m.employee_no AS m_no
           FROM event_signups s JOIN members m ON m.id = s.member_id
           WHERE s.event_id = ? AND s.status IN ({_marks(statuses)}) ORDER BY s.seq""",
        [event_id, *statuses],
    )
    return [RosterEntry(_signup(r), r["m_name"] or "", r["m_unit"], r["m_no"]) for r in rows]


async def _event_row(tx: Transaction, event_id: int) -> Row | None:
    return await tx.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))


async def _open_event(
    tx: Transaction, event_id: int, member_id: int | None = None
) -> Row | Result:
    """The event row if it is published (and the member in its audience), else why not."""
    event = await _event_row(tx, event_id)
    if event is None:
        return Result(Outcome.NOT_FOUND)
    if event["status"] != "published":
        return Result(Outcome.EVENT_CANCELLED)
    if member_id is not None and not await in_audience(tx, event_id, member_id):
        return Result(Outcome.NOT_IN_AUDIENCE)
    return event


async def _set_status(
    tx: Transaction, signup_id: int, status: str, now: float, expires: float | None = None
) -> None:
    await tx.execute(
        "UPDATE event_signups SET status = ?, offer_expires_at = ?, updated_at = ? WHERE id = ?",
        (status, expires, now, signup_id),
    )


async def _result(
    tx: Transaction,
    outcome: Outcome,
    event_id: int,
    member_id: int,
    promotions: list[Promotion] | None = None,
) -> Result:
    mine = await signup_of(tx, event_id, member_id)
    pos = await position(tx, mine) if mine else None
    return Result(outcome, mine, pos, promotions or [])


async def fill_seats(
    tx: Transaction, event_id: int, now: float, policy: OfferPolicy
) -> list[Promotion]:
    """Offer free seats to the head of the waitlist, in order (nothing once it started)."""
    event = await _event_row(tx, event_id)
    if event is None or event["status"] != "published" or event["capacity"] is None:
        return []
    if now >= event["starts_at"]:
        return []
    free = (await seats(tx, event_id)).free or 0
    if free <= 0:
        return []
    expires = policy(now, event["starts_at"])
    heads = await tx.fetchall(
        "SELECT * FROM event_signups WHERE event_id = ? AND status = 'waitlisted' "
        "ORDER BY seq LIMIT ?",
        (event_id, free),
    )
    out: list[Promotion] = []
    for row in heads:
        await _set_status(tx, row["id"], "offered" if expires else "confirmed", now, expires)
        out.append(Promotion(event_id, row["member_id"], expires is not None, expires))
    return out


async def sign_up(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Take a free seat or join the back of the waitlist, atomically."""
    event = await _open_event(tx, event_id, member_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is not None and mine.active:
        return await _result(tx, Outcome.ALREADY, event_id, member_id)
    if now > event["signup_deadline"] or now >= event["starts_at"]:
        return Result(Outcome.CLOSED, mine)
    # Those already waiting come first: a newcomer never takes a free seat ahead of the queue.
    promotions = await fill_seats(tx, event_id, now, policy)
    free = (await seats(tx, event_id)).free
    status = "confirmed" if free is None or free > 0 else "waitlisted"
    seq = int(
        await tx.fetchval(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM event_signups WHERE event_id = ?", (event_id,)
        )
    )
    if mine is None:
        await tx.execute(
            """INSERT INTO event_signups (event_id, member_id, status, seq, signed_up_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?)""",
            (event_id, member_id, status, seq, now, now),
        )
    else:
        await tx.execute(
            """UPDATE event_signups SET status = ?, seq = ?, signed_up_at = ?, updated_at = ?,
                   offer_expires_at = NULL, checked_in_at = NULL, added_by = NULL WHERE id = ?""",
            (status, seq, now, now, mine.id),
        )
    outcome = Outcome.CONFIRMED if status == "confirmed" else Outcome.WAITLISTED
    return await _result(tx, outcome, event_id, member_id, promotions)


async def leave(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Give up a seat (until the deadline), a held seat or a waitlist place; promote next."""
    event = await _open_event(tx, event_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is None or not mine.active:
        return Result(Outcome.NOT_SIGNED_UP, mine)
    # Only a confirmed seat is bound by the deadline: leaving the queue costs nobody a seat.
    if mine.status == "confirmed" and (now > event["signup_deadline"] or now >= event["starts_at"]):
        return Result(Outcome.DEADLINE_PASSED, mine)
    await _set_status(tx, mine.id, "declined" if mine.status == "offered" else "cancelled", now)
    promotions = await fill_seats(tx, event_id, now, policy)
    return await _result(tx, Outcome.LEFT, event_id, member_id, promotions)


async def accept_offer(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Turn a held seat into a confirmed one while the offer lasts."""
    event = await _open_event(tx, event_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is not None and mine.status == "confirmed":
        return Result(Outcome.ALREADY, mine)
    if mine is None or mine.status != "offered" or mine.offer_expires_at is None:
        return Result(Outcome.NOT_OFFERED, mine)
    if now >= mine.offer_expires_at:
        await _set_status(tx, mine.id, "expired", now)
        promotions = await fill_seats(tx, event_id, now, policy)
        return await _result(tx, Outcome.OFFER_EXPIRED, event_id, member_id, promotions)
    await _set_status(tx, mine.id, "confirmed", now)
    return await _result(tx, Outcome.CONFIRMED, event_id, member_id)


async def expire_offers(
    tx: Transaction, now: float, policy: OfferPolicy
) -> tuple[list[Signup], list[Promotion]]:
    """Lapse offers past their time and pass the seats on, event by event in order."""
    rows = await tx.fetchall(
        """SELECT s.* FROM event_signups s JOIN events e ON e.id = s.event_id
           WHERE s.status = 'offered' AND s.offer_expires_at <= ? AND e.status = 'published'
           ORDER BY s.offer_expires_at, s.id""",
        (now,),
    )
    expired = [_signup(r) for r in rows]
    for signup in expired:
        await _set_status(tx, signup.id, "expired", now)
    promotions: list[Promotion] = []
    for event_id in dict.fromkeys(s.event_id for s in expired):
        promotions += await fill_seats(tx, event_id, now, policy)
    return expired, promotions


async def add_by_officer(
    tx: Transaction, event_id: int, member_id: int, officer_id: int, now: float, *, over: bool
) -> Result:
    """Confirm a member by hand; beyond capacity only when the officer said so (`over`)."""
    event = await _open_event(tx, event_id, member_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is not None and mine.status == "confirmed":
        return Result(Outcome.ALREADY, mine)
    count = await seats(tx, event_id)
    # A member holding an offer already has a seat counted for them.
    holding = mine is not None and mine.status == "offered"
    if count.free is not None and count.free <= 0 and not holding and not over:
        return Result(Outcome.FULL, mine)
    if mine is None:
        seq = int(
            await tx.fetchval(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM event_signups WHERE event_id = ?",
                (event_id,),
            )
        )
        await tx.execute(
            """INSERT INTO event_signups (event_id, member_id, status, seq, signed_up_at,
                   updated_at, added_by) VALUES (?, ?, 'confirmed', ?, ?, ?, ?)""",
            (event_id, member_id, seq, now, now, officer_id),
        )
    else:
        await tx.execute(
            "UPDATE event_signups SET status = 'confirmed', offer_expires_at = NULL, "
            "updated_at = ?, added_by = ? WHERE id = ?",
            (now, officer_id, mine.id),
        )
    return await _result(tx, Outcome.CONFIRMED, event_id, member_id)


async def remove_by_officer(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Take a member off the event (any active status) and promote the waitlist."""
    mine = await signup_of(tx, event_id, member_id)
    if mine is None or not mine.active:
        return Result(Outcome.NOT_SIGNED_UP, mine)
    await _set_status(tx, mine.id, "removed", now)
    promotions = await fill_seats(tx, event_id, now, policy)
    return await _result(tx, Outcome.LEFT, event_id, member_id, promotions)


async def check_in(tx: Transaction, event_id: int, member_id: int, now: float) -> Result:
    """Mark a confirmed member present (once)."""
    mine = await signup_of(tx, event_id, member_id)
    if mine is None or mine.status != "confirmed":
        return Result(Outcome.NOT_SIGNED_UP, mine)
    if mine.checked_in_at is not None:
        return Result(Outcome.ALREADY, mine)
    await tx.execute(
        "UPDATE event_signups SET checked_in_at = ?, updated_at = ? WHERE id = ?",
        (now, now, mine.id),
    )
    return await _result(tx, Outcome.CHECKED_IN, event_id, member_id)


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
                 AND s.status IN ({_marks(statuses)})""",
            [event_id, member_id, *statuses],
        )
    )


# --- reminders and feedback (rows with due times) ---------------------------------------


async def claim_due_reminders(tx: Transaction, now: float) -> list[tuple[Event, int]]:
    """Mark due reminders fired and return (event, seconds before) for those still useful."""
    rows = await tx.fetchall(
        """SELECT r.id, r.before_seconds, r.event_id, e.status, e.starts_at
           FROM event_reminders r JOIN events e ON e.id = r.event_id
           WHERE r.fired_at IS NULL AND r.due_at <= ? ORDER BY r.due_at, r.id""",
        (now,),
    )
    out: list[tuple[Event, int]] = []
    for row in rows:
        await tx.execute("UPDATE event_reminders SET fired_at = ? WHERE id = ?", (now, row[0]))
        # After a long outage a reminder for an event that began is noise, not help.
        if row["status"] == "published" and row["starts_at"] > now:
            event = await get(tx, row["event_id"])
            if event is not None:
                out.append((event, row["before_seconds"]))
    return out


async def claim_feedback_due(tx: Transaction, now: float) -> list[Event]:
    """Events that ended and have not yet asked for feedback; marks them asked."""
    rows = await tx.fetchall(
        "SELECT id FROM events WHERE status = 'published' AND feedback_sent_at IS NULL "
        "AND ends_at <= ? ORDER BY ends_at, id",
        (now,),
    )
    out: list[Event] = []
    for row in rows:
        await tx.execute("UPDATE events SET feedback_sent_at = ? WHERE id = ?", (now, row[0]))
        event = await get(tx, row[0])
        if event is not None:
            out.append(event)
    return out


async def attendee_ids(db: Executor, event_id: int) -> list[int]:
    """Who attended: those checked in, or every confirmed member when nobody checked in."""
    rows = await db.fetchall(
        "SELECT member_id FROM event_signups WHERE event_id = ? AND status = 'confirmed' "
        "AND checked_in_at IS NOT NULL ORDER BY seq",
        (event_id,),
    )
    if not rows:
        rows = await db.fetchall(
            "SELECT member_id FROM event_signups WHERE event_id = ? AND status = 'confirmed' "
            "ORDER BY seq",
            (event_id,),
        )
    return [r[0] for r in rows]


async def save_rating(
    tx: Transaction, event_id: int, member_id: int, rating: int, now: float
) -> bool:
    """Store the rating; False when the member had already rated (nothing changes)."""
    return (
        await tx.execute(
            "INSERT OR IGNORE INTO event_feedback (event_id, member_id, rating, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?)",
            (event_id, member_id, rating, now, now),
        )
        > 0
    )


async def save_comment(
    db: Executor, event_id: int, member_id: int, comment: str, now: float
) -> bool:
    """Attach the comment to the member's rating; False without a rating or with a comment."""
    return (
        await db.execute(
            "UPDATE event_feedback SET comment = ?, updated_at = ? WHERE event_id = ? "
            "AND member_id = ? AND comment IS NULL",
            (comment, now, event_id, member_id),
        )
        > 0
    )


async def has_feedback(db: Executor, event_id: int, member_id: int) -> bool:
    """Whether the member already rated the event."""
    return bool(
        await db.fetchval(
            "SELECT 1 FROM event_feedback WHERE event_id = ? AND member_id = ?",
            (event_id, member_id),
        )
    )


async def feedback_summary(db: Executor, event_id: int) -> FeedbackSummary:
    """Count, mean, distribution and comments (newest first, without names)."""
    rows = await db.fetchall(
        "SELECT rating, comment FROM event_feedback WHERE event_id = ? ORDER BY updated_at DESC",
        (event_id,),
    )
    distribution = {n: 0 for n in range(1, 6)}
    for row in rows:
        distribution[row[0]] += 1
    mean = sum(r[0] for r in rows) / len(rows) if rows else None
    comments = [r[1] for r in rows if r[1]]
    return FeedbackSummary(len(rows), mean, distribution, comments)
