"""The pure event rules, driven by a FakeClock: windows, checks and typed dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.events import rules
from handlers.validation import Problem
from storage import events
from tests.timers import FakeClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0


def _local(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


def test_categories_match_the_storage_constraint() -> None:
    assert rules.CATEGORIES == events.CATEGORIES
    assert set(rules.CATEGORY_LABELS) == set(rules.CATEGORIES)


def test_offer_window_is_twelve_hours_far_from_the_start() -> None:
    clock = FakeClock()
    now = clock.time()
    assert rules.offer_expiry(now, now + 5 * 86400) == now + 12 * HOUR


def test_offer_window_shrinks_to_half_the_time_left_near_the_start() -> None:
    clock = FakeClock()
    now = clock.time()
    assert rules.offer_expiry(now, now + 6 * HOUR) == now + 3 * HOUR
    assert rules.offer_expiry(now, now + 30 * 60) == now + 15 * 60
    # Too close for a confirmation round: the seat is given directly.
    assert rules.offer_expiry(now, now + 29 * 60) is None
    assert rules.offer_expiry(now, now - 1) is None


def test_offer_never_outlasts_the_start() -> None:
    clock = FakeClock()
    start = clock.time() + 2 * 86400
    while clock.time() < start:
        expiry = rules.offer_expiry(clock.time(), start)
        assert expiry is None or clock.time() < expiry < start
        clock.advance(1800)


def test_checkin_opens_half_an_hour_early_and_closes_at_the_end() -> None:
    clock = FakeClock()
    start, end = clock.time() + HOUR, clock.time() + 3 * HOUR
    assert rules.checkin_state(clock.time(), start, end) == "early"
    clock.advance(30 * 60)
    assert rules.checkin_state(clock.time(), start, end) == "open"
    clock.advance(2.5 * HOUR)
    assert rules.checkin_state(clock.time(), start, end) == "open"
    clock.advance(1)
    assert rules.checkin_state(clock.time(), start, end) == "over"


def test_signup_is_open_until_the_deadline_and_never_after_the_start() -> None:
    clock = FakeClock()
    start = clock.time() + 2 * HOUR
    assert rules.signup_open(clock.time(), start - HOUR, start)
    clock.advance(HOUR + 1)
    assert not rules.signup_open(clock.time(), start - HOUR, start)
    assert rules.signup_open(clock.time(), start, start)
    clock.advance(HOUR)
    assert not rules.signup_open(clock.time(), start, start)


def test_reminder_times_skip_those_already_past() -> None:
    clock = FakeClock()
    start = clock.time() + 5 * HOUR
    assert rules.reminder_times(start, rules.DEFAULT_REMINDERS, clock.time()) == [start - HOUR]
    assert rules.deadline_choices(start, clock.time()) == [0, 3600]


@pytest.mark.parametrize(
    ("seconds", "msgid", "n"),
    [
        (0, "at the start", None),
        (86400, "{n} d before", 1),
        (3 * 3600, "{n} h before", 3),
        (1800, "{n} min before", 30),
    ],
)
def test_before_labels(seconds: int, msgid: str, n: int | None) -> None:
    label = rules.before_label(seconds)
    assert label.msgid == msgid
    assert label.params.get("n") == n


def test_draft_checks_name_the_first_problem() -> None:
    clock = FakeClock()
    now = clock.time()
    start = now + 86400
    assert rules.check_draft(start, start + HOUR, start - HOUR, 10, now) is None
    assert rules.check_draft(start, start + HOUR, start, None, now) is None
    past = rules.check_draft(now - 60, now + HOUR, now - 120, 10, now)
    assert isinstance(past, Problem) and "past" in past.msgid
    backwards = rules.check_draft(start, start - 60, start - HOUR, 10, now)
    assert isinstance(backwards, Problem) and "end must be after" in backwards.msgid
    late = rules.check_draft(start, start + HOUR, start + 60, 10, now)
    assert isinstance(late, Problem) and "not be after the start" in late.msgid
    for bad in (0, -3, 10001):
        problem = rules.check_draft(start, start + HOUR, start - HOUR, bad, now)
        assert isinstance(problem, Problem) and "seats" in problem.msgid


@pytest.mark.parametrize("text", ["0", "-5", "abc", "", "1.5", "10001", None])
def test_capacity_refuses_anything_but_a_positive_whole_number(text: str | None) -> None:
    assert isinstance(rules.parse_capacity(text), Problem)


def test_capacity_accepts_full_width_digits() -> None:
    assert rules.parse_capacity(" ３０ ") == 30
    assert rules.parse_capacity("1") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-10 14:00", "2026-03-10T14:00"),
        ("2026/3/10 14:00", "2026-03-10T14:00"),
        ("2026-03-10T14:00", "2026-03-10T14:00"),
        ("3-10 14:00", "2026-03-10T14:00"),
        ("3.10 9am", "2026-03-10T09:00"),
        ("2026年3月10日 14:00", "2026-03-10T14:00"),
        ("3月10日14点", "2026-03-10T14:00"),
        ("3月10日 下午2点半", "2026-03-10T14:30"),
        ("２０２６－０３－１０　１４：００", "2026-03-10T14:00"),
        ("明天 9:00", "2026-03-03T09:00"),
        ("tomorrow 9:00", "2026-03-03T09:00"),
        ("14:30", "2026-03-02T14:30"),
        ("2月20日 10:00", "2026-02-20T10:00"),  # recently: stays, the past check speaks up
    ],
)
def test_typed_dates_in_the_configured_zone(text: str, expected: str) -> None:
    clock = FakeClock()  # Monday 2 March 2026, 09:00 in Shanghai
    assert rules.parse_when(text, SHANGHAI, clock.time()) == _local(expected)


def test_a_date_without_year_long_past_means_next_year() -> None:
    clock = FakeClock(datetime(2026, 11, 20, 2, 0, tzinfo=SHANGHAI))
    assert rules.parse_when("1月5日 10:00", SHANGHAI, clock.time()) == _local("2027-01-05T10:00")
    assert rules.parse_when("11-1 10:00", SHANGHAI, clock.time()) == _local("2026-11-01T10:00")


def test_a_bare_time_for_the_end_means_the_day_of_the_start() -> None:
    clock = FakeClock()
    start = _local("2026-03-10T14:00")
    assert rules.parse_when("16:30", SHANGHAI, clock.time(), day_of=start) == _local(
        "2026-03-10T16:30"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("hello", "could not read"),
        ("2026-03-10", "could not read"),
        ("3-10 14", "could not read"),
        ("2-30 10:00", "does not exist"),
        ("25:00", "does not exist"),
        ("3-10 14:75", "does not exist"),
        ("", "could not read"),
    ],
)
def test_unreadable_dates_get_a_clear_problem(text: str, fragment: str) -> None:
    problem = rules.parse_when(text, SHANGHAI, FakeClock().time())
    assert isinstance(problem, Problem) and fragment in problem.msgid
