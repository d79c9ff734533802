"""Pure event rules: typed dates, draft checks, offer and check-in windows (no telegram)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from bot.i18n import N_
from handlers.validation import Problem

MINUTE = 60
HOUR = 3600
DAY = 86400
CATEGORIES: tuple[str, ...] = ("culture", "sports", "training", "meeting", "volunteering", "care")
CATEGORY_LABELS: dict[str, str] = {
    "culture": N_("🎭 Culture"),
    "sports": N_("⚽ Sports"),
    "training": N_("📚 Training"),
    "meeting": N_("🗣 Meeting"),
    "volunteering": N_("🤝 Volunteering"),
    "care": N_("💐 Care visit"),
}
DEFAULT_REMINDERS: tuple[int, ...] = (DAY, HOUR)
REMINDER_CHOICES: tuple[int, ...] = (7 * DAY, 2 * DAY, DAY, 3 * HOUR, HOUR, 30 * MINUTE)
#: Deadline presets, in seconds before the start (0: sign-up stays open until it begins).
DEADLINE_CHOICES: tuple[int, ...] = (0, HOUR, DAY, 2 * DAY)
DEFAULT_OFFER_WINDOW = 12 * HOUR
#: Below this an offer could lapse unseen while the member is on the way: give the seat.
MIN_OFFER_WINDOW = 15 * MINUTE
#: Check-in opens this long before the start (people arrive early) and closes at the end.
CHECKIN_EARLY = 30 * MINUTE
MAX_CAPACITY = 10000
MAX_TITLE = 80
MAX_PLACE = 120
#: Keeps title, time, place and description within a 1024-character photo caption.
MAX_DESCRIPTION = 600

CheckinState = Literal["early", "open", "over"]


@dataclass(frozen=True, slots=True)
class Msg:
    """A translatable label with placeholders, rendered in the reader's language."""

    msgid: str
    params: dict[str, object] = field(default_factory=dict)


# --- windows ---------------------------------------------------------------------------


def offer_expiry(
    now: float, starts_at: float, window: float = DEFAULT_OFFER_WINDOW
) -> float | None:
    """When an offer made now lapses: the window, or half the time left when the event is near.

    None means the event is too close for a confirmation round: the seat is given at once.
    """
    span = min(window, (starts_at - now) / 2)
    if span < MIN_OFFER_WINDOW:
        return None
    return now + span


def signup_open(now: float, deadline: float, starts_at: float) -> bool:
    """Members may sign up (and give up a confirmed seat) until the deadline."""
    return now <= deadline and now < starts_at


def checkin_state(now: float, starts_at: float, ends_at: float) -> CheckinState:
    """Whether check-in has not opened yet, is open, or is over."""
    if now < starts_at - CHECKIN_EARLY:
        return "early"
    if now > ends_at:
        return "over"
    return "open"


def reminder_times(starts_at: float, befores: Sequence[int], now: float) -> list[float]:
    """Due times of the reminders that are still in the future, earliest first."""
    return sorted(starts_at - b for b in befores if starts_at - b > now)


def deadline_choices(starts_at: float, now: float) -> list[int]:
    """Deadline presets that are still in the future."""
    return [b for b in DEADLINE_CHOICES if starts_at - b > now]


def before_label(seconds: int) -> Msg:
    """ "1 day before", "3 hours before", "30 minutes before", "at the start"."""
    if seconds <= 0:
        return Msg(N_("at the start"))
    if seconds % DAY == 0:
        return Msg(N_("{n} d before"), {"n": seconds // DAY})
    if seconds % HOUR == 0:
        return Msg(N_("{n} h before"), {"n": seconds // HOUR})
    return Msg(N_("{n} min before"), {"n": max(1, seconds // MINUTE)})


# --- checks ----------------------------------------------------------------------------


def check_start(starts_at: float, now: float) -> Problem | None:
    """The start must lie in the future."""
    if starts_at <= now:
        return Problem(N_("That time is already in the past. Please send a later start time."))
    return None


def check_end(ends_at: float, starts_at: float) -> Problem | None:
    """The end must come after the start."""
    if ends_at <= starts_at:
        return Problem(N_("The end must be after the start. Please send a later end time."))
    return None


def check_deadline(deadline: float, starts_at: float, now: float) -> Problem | None:
    """The sign-up deadline lies between now and the start."""
    if deadline > starts_at:
        return Problem(
            N_("The sign-up deadline must not be after the start. Please choose an earlier one.")
        )
    if deadline <= now:
        return Problem(N_("That deadline is already in the past. Please choose a later one."))
    return None


def check_draft(
    starts_at: float, ends_at: float, deadline: float, capacity: int | None, now: float
) -> Problem | None:
    """Everything again at publish time: the preview may have waited a while."""
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        return _capacity_problem()
    return (
        check_start(starts_at, now)
        or check_end(ends_at, starts_at)
        or check_deadline(deadline, starts_at, now)
    )


def _capacity_problem() -> Problem:
    return Problem(
        N_("The number of seats must be a whole number from 1 to {max}, or press “No limit”."),
        {"max": MAX_CAPACITY},
    )


def parse_capacity(text: str | None) -> int | Problem:
    """Seats: a whole number 1..MAX_CAPACITY (full-width digits allowed)."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not re.fullmatch(r"[+-]?\d{1,6}", raw):
        return _capacity_problem()
    value = int(raw)
    if not 1 <= value <= MAX_CAPACITY:
        return _capacity_problem()
    return value


# --- typed dates -------------------------------------------------------------------------

_DATE = r"(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
_REL = r"(?P<rel>今天|明天|后天|today|tomorrow)"
_HALF = r"(?P<ampm>上午|早上|中午|下午|晚上|am|pm)?"
_TIME = (
    r"(?P<h>\d{1,2})\s*"
    r"(?::\s*(?P<mi>\d{2})|(?P<dian>[点時时])\s*(?:(?P<mi2>\d{1,2})\s*分?|(?P<half>半))?)?"
)
_WHEN = re.compile(
    rf"^(?:(?:{_DATE}|{_REL})\s*(?:t|,|，)?\s*)?{_HALF}\s*{_TIME}\s*(?P<ampm2>am|pm)?$"
)
_REL_DAYS = {"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2}


def _bad_format() -> Problem:
    return Problem(
        N_("I could not read that time. Please write it like 2026-03-10 14:00 or 3月10日 14:00.")
    )


def parse_when(
    text: str | None, tz: tzinfo, now: float, *, day_of: float | None = None
) -> float | Problem:
    """A typed date and time in the configured zone, as epoch seconds.

    Accepts 2026-03-10 14:00, 2026/3/10 14:00, 3-10 14:00, 2026年3月10日 14:00,
    3月10日 下午2点半, 明天 9:00, tomorrow 9:00, or only a time (on the day of
    `day_of`, else today). Without a year the next such date is meant unless it
    was within the last two months (then the past-date check speaks up).
    """
    raw = unicodedata.normalize("NFKC", text or "").strip().lower()
    raw = re.sub(r"\s+", " ", raw)
    match = _WHEN.match(raw)
    if match is None:
        return _bad_format()
    today = datetime.fromtimestamp(now, tz).date()
    base = datetime.fromtimestamp(day_of, tz).date() if day_of is not None else today
    g = match.groupdict()
    if not (g["mi"] or g["dian"] or g["ampm"] or g["ampm2"]):
        return _bad_format()  # a bare number is too easy to misread as a day or a count
    if g["rel"]:
        base = today + timedelta(days=_REL_DAYS[g["rel"]])
    elif g["mo"]:
        year = int(g["y"]) if g["y"] else today.year
        try:
            base = date(year, int(g["mo"]), int(g["d"]))
        except ValueError:
            return Problem(N_("That date does not exist. Please check the month and the day."))
        if not g["y"] and base < today - timedelta(days=60):
            try:
                base = date(year + 1, base.month, base.day)
            except ValueError:  # 29 February
                return Problem(N_("That date does not exist. Please check the month and the day."))
    hour = int(g["h"])
    minute = 30 if g["half"] else int(g["mi"] or g["mi2"] or 0)
    ampm = g["ampm"] or g["ampm2"]
    if (ampm in ("下午", "晚上", "pm") and hour < 12) or (ampm == "中午" and hour < 6):
        hour += 12
    elif ampm in ("am", "上午", "早上") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return Problem(N_("That time does not exist. Please use hours 0-23 and minutes 0-59."))
    local = datetime(base.year, base.month, base.day, hour, minute, tzinfo=tz)
    return local.timestamp()
