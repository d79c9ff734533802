"""Dates relative to the upload, and last year's dates moved forward."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from surveys import Definition
from surveys.dates import move_past_years, relative_day, relative_moment

from .helpers import load

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 8, 10, 30, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "end_of_day", "expected"),
    [
        ("+0d", False, datetime(2026, 12, 8, tzinfo=TZ)),
        ("+0d", True, datetime(2026, 12, 9, tzinfo=TZ)),
        ("today", False, datetime(2026, 12, 8, tzinfo=TZ)),
        ("+14d", True, datetime(2026, 12, 23, tzinfo=TZ)),
        ("+2w 09:00", False, datetime(2026, 12, 22, 9, tzinfo=TZ)),
        ("today 18:00", True, datetime(2026, 12, 8, 18, tzinfo=TZ)),
        ("+2h", False, datetime(2026, 12, 8, 12, 30, tzinfo=TZ)),
        ("now", False, NOW),
    ],
)
def test_relative_moments(text: str, end_of_day: bool, expected: datetime) -> None:
    assert relative_moment(text, NOW, end_of_day=end_of_day) == expected


@pytest.mark.parametrize("text", ["+2h 09:00", "+3x", "-1d", "+1d 25:00", "tomorrow", "+d"])
def test_what_is_not_a_relative_moment(text: str) -> None:
    assert relative_moment(text, NOW, end_of_day=False) is None


def _dated(closes_at: str, opens_at: str | None = None) -> Definition:
    """A one-question survey with these dates, as an officer would type them in YAML."""
    opens = f"opens_at: {opens_at}\n" if opens_at else ""
    return load(
        f"id: s\ntitle: t\n{opens}closes_at: {closes_at}\n"
        "questions: [{id: q, type: yes_no, title: 好吗？}]\n"
    )


def test_relative_days_for_a_study_start() -> None:
    assert relative_day("today", NOW) == date(2026, 12, 8)
    assert relative_day("+7d", NOW) == date(2026, 12, 15)
    assert relative_day("+2h", NOW) is None and relative_day("today 09:00", NOW) is None


def test_absolute_dates_without_a_zone_stay_in_the_default_zone() -> None:
    definition = _dated("2025-06-15", opens_at="2025-06-01 08:00")
    assert definition.opens_at is not None and definition.closes_at is not None
    assert definition.opens_at.isoformat() == "2025-06-01T08:00:00+08:00"
    assert definition.closes_at.isoformat() == "2025-06-16T00:00:00+08:00"


def test_last_years_dates_move_forward_by_whole_years() -> None:
    definition = _dated("2025-01-10", opens_at="2024-02-29 08:00")
    moved, years = move_past_years(definition, NOW)
    assert years == 2 and moved.closes_at is not None and moved.opens_at is not None
    assert moved.closes_at.date() == date(2027, 1, 11)
    assert moved.opens_at.date() == date(2026, 2, 28)
    # Earlier this year is more likely a typo: left alone for the upload to refuse.
    this_year = _dated("2026-03-01")
    assert move_past_years(this_year, NOW) == (this_year, 0)
