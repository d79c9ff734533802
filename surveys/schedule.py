"""Study schedules: a small cron dialect, its fire times in a zone, and study streaks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from surveys.errors import N_, ValidationError

#: A lesson at most this often a day: more is a typo ("* 8 * * *" fires every minute).
FIRES_PER_DAY_MAX = 4
#: Years searched for a fire time: any 9 years contain a 29 February.
HORIZON_DAYS = 9 * 366

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CHINESE_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_WORDS = {
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "每天": frozenset(range(7)),
    "每日": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "工作日": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "周末": frozenset({5, 6}),
}
_TIME = re.compile(r"(\d{1,2})[:：](\d{2})\Z")
_LIST_SPLIT = re.compile(r"[,，、]")

#: (name, lowest, highest) of the five cron fields, in order.
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))

MESSAGES = {
    "schedule_format": N_(
        "The schedule '{value}' is not understood. Write it as 'weekdays 08:30', "
        "'daily 07:00', 'mon,wed,fri 08:30' or five cron fields such as '30 8 * * 1-5'."
    ),
    "schedule_minute": N_(
        "The minute field '{value}' is not valid: use 0-59, a range (0-30), a list (0,30), "
        "a step (*/15) or *."
    ),
    "schedule_hour": N_(
        "The hour field '{value}' is not valid: use 0-23, a range (8-18), a list (8,18), "
        "a step (*/6) or *."
    ),
    "schedule_day": N_(
        "The day-of-month field '{value}' is not valid: use 1-31, a range (1-15), "
        "a list (1,15) or *."
    ),
    "schedule_month": N_(
        "The month field '{value}' is not valid: use 1-12 or jan-dec, a range (3-6), a list or *."
    ),
    "schedule_weekday": N_(
        "The day-of-week field '{value}' is not valid: use 0-7 (0 and 7 are Sunday) or "
        "mon-sun, a range (1-5), a list (1,3,5) or *."
    ),
    "schedule_days": N_(
        "'{value}' is not a day: use daily, weekdays, weekends, mon-sun (mon,wed,fri) or 周一-周日."
    ),
    "schedule_time": N_("'{value}' is not a time of day such as 08:30."),
    "schedule_never": N_(
        "The schedule '{value}' never fires (for example, 30 February does not exist)."
    ),
    "schedule_too_often": N_(
        "The schedule fires {count} times a day; at most {limit} lessons a day are allowed."
    ),
}


def schedule_error(code: str, path: str, **params: str | int) -> ValidationError:
    """A validation error for a schedule, with its message from the table above."""
    return ValidationError(code, path, MESSAGES[code], params)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When lessons are released: times of day on matching days, in a time zone."""

    text: str
    clock: tuple[time, ...]  # times of day, in order
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # Monday is 0, as in date.weekday()
    # Cron's rule: when both day-of-month and day-of-week are restricted, either may match.
    day_or_weekday: bool
    tz: tzinfo

    def fires_on(self, day: date) -> bool:
        """Whether the schedule fires at all on this calendar day."""
        if day.month not in self.months:
            return False
        by_day, by_weekday = day.day in self.days, day.weekday() in self.weekdays
        return (by_day or by_weekday) if self.day_or_weekday else (by_day and by_weekday)

    def fires_after(self, after: float) -> Iterator[float]:
        """Fire times (epoch seconds) strictly after ``after``, in order, within the horizon."""
        start = datetime.fromtimestamp(after, UTC).astimezone(self.tz).date()
        for offset in range(HORIZON_DAYS):
            day = start + timedelta(days=offset)
            if not self.fires_on(day):
                continue
            for moment in self.clock:
                at = datetime.combine(day, moment, tzinfo=self.tz).timestamp()
                if at > after:
                    yield at

    def next_fire(self, after: float) -> float | None:
        """The first fire time strictly after ``after``; None when it never fires."""
        return next(self.fires_after(after), None)

    def due(self, after: float, now: float, limit: int) -> list[float]:
        """Fire times in (after, now], at most ``limit``: the lessons due for release now."""
        found: list[float] = []
        if limit <= 0:
            return found
        for at in self.fires_after(after):
            if at > now:
                break
            found.append(at)
            if len(found) >= limit:
                break
        return found


def parse_schedule(text: object, tz: tzinfo, path: str = "schedule") -> Schedule | ValidationError:
    """Read 'weekdays 08:30' style or five cron fields; the times are in ``tz``."""
    if not isinstance(text, str) or not text.strip():
        return schedule_error("schedule_format", path, value=str(text or ""))
    value = " ".join(text.split())
    parts = value.split(" ")
    result = _cron(value, parts, tz, path) if len(parts) == 5 else _friendly(value, parts, tz, path)
    if isinstance(result, ValidationError):
        return result
    per_day = len(result.clock)
    if per_day > FIRES_PER_DAY_MAX:
        return schedule_error("schedule_too_often", path, count=per_day, limit=FIRES_PER_DAY_MAX)
    # Any fixed reference works: the search spans a whole leap cycle.
    if result.next_fire(datetime(2000, 1, 1, tzinfo=UTC).timestamp()) is None:
        return schedule_error("schedule_never", path, value=value)
    return result


def _friendly(value: str, parts: list[str], tz: tzinfo, path: str) -> Schedule | ValidationError:
    if len(parts) != 2:
        return schedule_error("schedule_format", path, value=value)
    days = _day_words(parts[0])
    if days is None:
        return schedule_error("schedule_days", path, value=parts[0])
    clock: set[time] = set()
    for item in _LIST_SPLIT.split(parts[1]):
        match = _TIME.match(item.strip())
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            return schedule_error("schedule_time", path, value=item.strip())
        clock.add(time(int(match.group(1)), int(match.group(2))))
    return Schedule(
        text=value,
        clock=tuple(sorted(clock)),
        days=frozenset(range(1, 32)),
        months=frozenset(range(1, 13)),
        weekdays=days,
        day_or_weekday=False,
        tz=tz,
    )


def _day_words(raw: str) -> frozenset[int] | None:
    word = raw.lower()
    if word in _WORDS:
        return _WORDS[word]
    found: set[int] = set()
    for item in _LIST_SPLIT.split(word):
        bounds = item.split("-")
        if len(bounds) > 2:
            return None
        numbers = [n for b in bounds if (n := _day_name(b)) is not None]
        if len(numbers) != len(bounds):
            return None
        low, high = numbers[0], numbers[-1]
        if high < low:
            return None
        found.update(range(low, high + 1))
    return frozenset(found) if found else None


def _named(raw: str, names: tuple[str, ...]) -> int | None:
    """Index of an English name written in full or cut to at least three letters."""
    if len(raw) < 3 or not raw.isalpha():
        return None
    for index, name in enumerate(names):
        if name.startswith(raw):
            return index
    return None


def _day_name(raw: str) -> int | None:
    name = raw.strip()
    index = _named(name, _DAYS)
    if index is not None:
        return index
    for prefix in ("周", "星期", "礼拜"):
        if name.startswith(prefix) and name[len(prefix) :] in _CHINESE_DAYS:
            return _CHINESE_DAYS[name[len(prefix) :]]
    return None


def _cron(value: str, parts: list[str], tz: tzinfo, path: str) -> Schedule | ValidationError:
    sets: list[frozenset[int]] = []
    for raw, (name, low, high) in zip(parts, _FIELDS, strict=True):
        names = _MONTHS if name == "month" else _DAYS if name == "weekday" else ()
        found = _field(raw.lower(), low, high, names, name)
        if found is None:
            return schedule_error(f"schedule_{name}", path, value=raw)
        sets.append(found)
    minutes, hours, days, months, cron_weekdays = sets
    # Cron counts Sunday as 0 (and 7); date.weekday() counts Monday as 0.
    weekdays = frozenset((d - 1) % 7 for d in cron_weekdays)
    return Schedule(
        text=value,
        clock=tuple(time(h, m) for h in sorted(hours) for m in sorted(minutes)),
        days=days,
        months=months,
        weekdays=weekdays,
        day_or_weekday=parts[2] != "*" and parts[4] != "*",
        tz=tz,
    )


def _field(
    raw: str, low: int, high: int, names: tuple[str, ...], kind: str
) -> frozenset[int] | None:
    found: set[int] = set()
    for item in raw.split(","):
        base, _sep, step_text = item.partition("/")
        step = 1
        if _sep:
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if base == "*":
            first, last = low, high
        else:
            bounds = base.split("-")
            if len(bounds) > 2:
                return None
            numbers = [n for b in bounds if (n := _number(b, low, high, names, kind)) is not None]
            if len(numbers) != len(bounds):
                return None
            first, last = numbers[0], numbers[-1]
            if _sep and len(bounds) == 1:
                last = high  # "5/10" means from 5 to the end in steps of 10
            if last < first:
                return None
        found.update(range(first, last + 1, step))
    return frozenset(found) if found else None


def _number(raw: str, low: int, high: int, names: tuple[str, ...], kind: str) -> int | None:
    if raw.isdigit():
        value = int(raw)
        return value if low <= value <= high else None
    index = _named(raw, names) if names else None
    if index is None:
        return None
    # Months count from 1; weekday names map to cron numbers (Sunday 0).
    return index + 1 if kind == "month" else (index + 1) % 7


def local_day(moment: float, tz: tzinfo) -> date:
    """The calendar day of an epoch moment in a zone."""
    return datetime.fromtimestamp(moment, UTC).astimezone(tz).date()


def day_start(day: date, tz: tzinfo) -> float:
    """The epoch moment a calendar day begins in a zone."""
    return datetime.combine(day, time(), tzinfo=tz).timestamp()


def streak(study_days: Set[date], lesson_days: Set[date], today: date) -> int:
    """Consecutive days with study, counted back from today.

    A day on which no new lesson reached the member (a weekend on a weekday plan, a
    paused plan) neither counts nor breaks the streak; today does not break it either,
    because the member may still study later in the day.
    """
    if not study_days:
        return 0
    first = min(study_days)
    count = 0
    day = today
    while day >= first:
        if day in study_days:
            count += 1
        elif day in lesson_days and day != today:
            break
        day -= timedelta(days=1)
    return count
