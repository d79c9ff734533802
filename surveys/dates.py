"""Dates relative to the upload ("+14d", "today 18:00") and moving past dates forward by years."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from surveys.model import Definition

#: "today", "+0d", "+14d", "+2w", each optionally with a time ("+14d 18:00"), "+2h", "now".
_RELATIVE = re.compile(r"^(?:(today)|\+(\d{1,4})\s*([dwh]))(?:\s+(\d{1,2}):(\d{2}))?$", re.I)


def relative_day(text: str, now: datetime) -> date | None:
    """The day "today", "+3d" or "+2w" names (no time of day), else None."""
    match = _RELATIVE.match(text.strip())
    if match is None or match.group(4) is not None or (match.group(3) or "d").lower() == "h":
        return None
    return now.date() + _offset(match)


def relative_moment(text: str, now: datetime, *, end_of_day: bool) -> datetime | None:
    """The moment a relative value names in now's zone; a bare day reads like a bare date.

    "+14d" as a closing time means the end of that day, as a bare date does;
    "+2h" and "now" count from the upload itself.
    """
    text = text.strip()
    if text.lower() == "now":
        return now
    match = _RELATIVE.match(text)
    if match is None:
        return None
    unit = (match.group(3) or "d").lower()
    if unit == "h":
        return None if match.group(4) is not None else now + timedelta(hours=int(match.group(2)))
    day = now.date() + _offset(match)
    if match.group(4) is not None:
        hour, minute = int(match.group(4)), int(match.group(5))
        if hour > 23 or minute > 59:
            return None
        return datetime.combine(day, time(hour, minute), now.tzinfo)
    start = datetime.combine(day, time(), now.tzinfo)
    return start + timedelta(days=1) if end_of_day else start


def _offset(match: re.Match[str]) -> timedelta:
    if match.group(1):
        return timedelta()
    count = int(match.group(2))
    return timedelta(weeks=count) if match.group(3).lower() == "w" else timedelta(days=count)


def move_past_years(definition: Definition, now: datetime) -> tuple[Definition, int]:
    """When the survey closed in an earlier year, move both dates forward by whole years.

    Returns the definition and how many years it moved (0: unchanged). Last
    year's file then uploads as a draft with the same calendar dates, and the
    officer is told so. A date earlier this year is more likely a typo: it is
    left for the upload to refuse.
    """
    closes = definition.closes_at
    if closes is None or closes > now or closes.year >= now.year:
        return definition, 0
    years = now.year - closes.year
    while _add_years(closes, years) <= now:
        years += 1
    opens = definition.opens_at
    return (
        replace(
            definition,
            opens_at=_add_years(opens, years) if opens is not None else None,
            closes_at=_add_years(closes, years),
        ),
        years,
    )


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year + years, day=28)
