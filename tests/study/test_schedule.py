"""The schedule dialect, its fire times in a zone, and streaks: pure, on fixed moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from surveys import ValidationError
from surveys.schedule import Schedule, day_start, local_day, parse_schedule, streak
from tests.timers import FakeClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _schedule(text: str) -> Schedule:
    parsed = parse_schedule(text, SHANGHAI)
    assert isinstance(parsed, Schedule), parsed
    return parsed


def _local(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, SHANGHAI)


@pytest.mark.parametrize(
    "text", ["weekdays 08:30", "工作日 08:30", "30 8 * * 1-5", "30 8 * * mon-fri", "周一-周五 8:30"]
)
def test_weekday_mornings_written_five_ways(text: str) -> None:
    clock = FakeClock()  # Monday 2 March 2026, 09:00 in Shanghai
    fires = list(_schedule(text).due(clock.time(), clock.time() + 7 * 86400, 10))
    assert [_local(f).strftime("%a %H:%M") for f in fires] == [
        "Tue 08:30", "Wed 08:30", "Thu 08:30", "Fri 08:30", "Mon 08:30",
    ]  # fmt: skip


def test_sunday_is_zero_and_seven_in_cron_and_names_agree() -> None:
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI).timestamp()
    for text in ("0 9 * * 0", "0 9 * * 7", "0 9 * * sun", "周日 09:00", "sunday 09:00"):
        first = _schedule(text).next_fire(start)
        assert first is not None and _local(first).date() == date(2026, 3, 8), text


def test_several_times_a_day_and_lists_of_days() -> None:
    schedule = _schedule("mon,wed,fri 07:00,19:30")
    start = datetime(2026, 3, 2, tzinfo=SHANGHAI).timestamp()
    fires = schedule.due(start, start + 7 * 86400, 20)
    assert [_local(f).strftime("%a %H:%M") for f in fires] == [
        "Mon 07:00", "Mon 19:30", "Wed 07:00", "Wed 19:30", "Fri 07:00", "Fri 19:30",
    ]  # fmt: skip


def test_due_is_strictly_after_the_anchor_and_limited() -> None:
    schedule = _schedule("daily 08:00")
    eight = datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI).timestamp()
    assert schedule.due(eight, eight, 5) == []  # the fire at the anchor itself was used
    assert schedule.due(eight - 1, eight, 5) == [eight]
    assert len(schedule.due(eight - 1, eight + 10 * 86400, 3)) == 3
    assert schedule.due(eight - 1, eight + 86400, 0) == []


def test_cron_day_of_month_or_weekday_rule() -> None:
    # Both restricted: the 1st of the month OR any Monday (as in cron).
    schedule = _schedule("0 9 1 * mon")
    start = datetime(2026, 3, 16, 10, 0, tzinfo=SHANGHAI).timestamp()
    days = [_local(f).date() for f in schedule.due(start, start + 20 * 86400, 10)]
    assert days == [date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 1)]


def test_29_february_fires_in_a_leap_year() -> None:
    fire = _schedule("0 9 29 2 *").next_fire(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
    assert fire is not None and _local(fire).date() == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0 9 30 2 *", "schedule_never"),
        ("0 9 31 4,6,9,11 *", "schedule_never"),
        ("* 8 * * *", "schedule_too_often"),
        ("61 8 * * *", "schedule_minute"),
        ("0 24 * * *", "schedule_hour"),
        ("0 8 32 * *", "schedule_day"),
        ("0 8 * 13 *", "schedule_month"),
        ("0 8 * * 8", "schedule_weekday"),
        ("0 8 * * fri-mon", "schedule_weekday"),
        ("0 8 */0 * *", "schedule_day"),
        ("someday 08:30", "schedule_days"),
        ("weekdays 8.30", "schedule_time"),
        ("weekdays 25:00", "schedule_time"),
        ("every morning", "schedule_days"),
        ("0 8 * *", "schedule_format"),
        ("", "schedule_format"),
    ],
)
def test_bad_schedules_say_precisely_why(text: str, code: str) -> None:
    parsed = parse_schedule(text, SHANGHAI)
    assert isinstance(parsed, ValidationError) and parsed.code == code
    assert parsed.path == "schedule"
    assert "{" not in parsed.format()  # every placeholder is filled


def test_not_text_is_an_error() -> None:
    parsed = parse_schedule(830, SHANGHAI)
    assert isinstance(parsed, ValidationError) and parsed.code == "schedule_format"


def test_fire_times_follow_the_zone() -> None:
    tokyo = parse_schedule("daily 08:00", ZoneInfo("Asia/Tokyo"))
    assert isinstance(tokyo, Schedule)
    fire = tokyo.next_fire(datetime(2026, 3, 2, tzinfo=UTC).timestamp())
    assert fire == datetime(2026, 3, 2, 23, 0, tzinfo=UTC).timestamp()


def test_local_day_and_day_start_round_trip() -> None:
    moment = datetime(2026, 3, 1, 17, 30, tzinfo=UTC).timestamp()  # 01:30 on 2 March in Shanghai
    assert local_day(moment, SHANGHAI) == date(2026, 3, 2)
    assert local_day(day_start(date(2026, 3, 2), SHANGHAI), SHANGHAI) == date(2026, 3, 2)


MON = date(2026, 3, 2)


def _days(*offsets: int) -> set[date]:
    return {MON + timedelta(days=o) for o in offsets}


def test_streak_counts_consecutive_study_days() -> None:
    lessons = _days(0, 1, 2, 3, 4)
    assert streak(_days(0, 1, 2, 3, 4), lessons, MON + timedelta(days=4)) == 5
    assert streak(set(), lessons, MON) == 0


def test_a_weekend_without_lessons_does_not_break_the_streak() -> None:
    lessons = _days(0, 1, 2, 3, 4, 7, 8)
    studied = _days(3, 4, 7, 8)  # Thu, Fri, then Mon, Tue
    assert streak(studied, lessons, MON + timedelta(days=8)) == 4


def test_a_missed_lesson_day_breaks_it_but_today_is_not_over() -> None:
    lessons = _days(0, 1, 2, 3)
    assert streak(_days(0, 2, 3), lessons, MON + timedelta(days=3)) == 2  # Tuesday missed
    # Today (Thursday) has a lesson and no study yet: the streak still stands at Wednesday's.
    assert streak(_days(0, 1, 2), lessons, MON + timedelta(days=3)) == 3


def test_studying_on_a_day_without_a_lesson_counts() -> None:
    lessons = _days(0, 1)
    assert streak(_days(0, 1, 5), lessons, MON + timedelta(days=5)) == 3
