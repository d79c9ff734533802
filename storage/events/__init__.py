"""Events: sign-ups with capacity and an ordered waitlist, reminders, check-in, feedback."""

# Every change of a seat runs inside one `db.transaction()` (BEGIN IMMEDIATE), so
# the seat count read and the status written can never interleave with another
# sign-up: no overbooking, no lost sign-up, waitlist in arrival order.

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from storage.db import Row
from storage.rows import from_row

CATEGORIES: tuple[str, ...] = ("culture", "sports", "training", "meeting", "volunteering", "care")
#: Statuses that hold a place (a seat, a held seat, or a place in the queue).
ACTIVE: tuple[str, ...] = ("confirmed", "offered", "waitlisted")
#: (now, starts_at) -> when an offer made now lapses, or None to give the seat at once.
OfferPolicy = Callable[[float, float], float | None]
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in a hall
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


def to_event(row: Row, unit_ids: Iterable[int] = (), reminders: Iterable[int] = ()) -> Event:
    """Row (and its audience units and reminder offsets) to dataclass."""
    return from_row(Event, row, unit_ids=tuple(unit_ids), reminders=tuple(reminders))


def to_signup(row: Row) -> Signup:
    """Row to dataclass."""
    return from_row(Signup, row)


def marks(values: Sequence[object]) -> str:
    """SQL placeholders for an IN list of these values."""
    return ",".join("?" * len(values))
