"""Time rules of the suggestion box: local days, whole-day deadlines, digest times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo


def local_date(now: float, tz: tzinfo) -> date:
    """The calendar day of a moment in the union's zone."""
    return datetime.fromtimestamp(now, tz).date()


def day_start(now: float, tz: tzinfo) -> float:
    """Midnight (local) of the moment's day: the only time kept for anonymous items."""
    return datetime.combine(local_date(now, tz), time(0), tz).timestamp()


def due_at(created_at: float, days: int, tz: tzinfo) -> float:
    """End of the local day `days` days after creation: deadlines are whole days."""
    last_day = local_date(created_at, tz) + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tz).timestamp()


def next_release(now: float, times: Sequence[str], tz: tzinfo) -> float:
    """The first digest time strictly after now ("HH:MM" in the local zone)."""
    slots = sorted(time(int(t[:2]), int(t[3:5])) for t in times)
    today = local_date(now, tz)
    for offset in range(3):
        for slot in slots:
            moment = datetime.combine(today + timedelta(days=offset), slot, tz).timestamp()
            if moment > now:
                return moment
    raise ValueError("no digest times configured")
