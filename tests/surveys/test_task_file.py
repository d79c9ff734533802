"""The task file format: due forms, targets, report contents, and every problem with its place."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from surveys.task_file import CHOSEN, TaskFile, load_task_file

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=TZ)
BASE = "title: 月度检查\ninstructions: 请上报。\n"


def _load(extra: str) -> TaskFile:
    parsed = load_task_file(BASE + extra, tz=TZ, now=NOW)
    assert isinstance(parsed, TaskFile), parsed
    return parsed


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("+14d 18:00", datetime(2026, 12, 22, 18, 0, tzinfo=TZ)),
        ("2026-12-31", datetime(2027, 1, 1, 0, 0, tzinfo=TZ)),  # a bare date: the end of it
        ("2026-12-20 17:30", datetime(2026, 12, 20, 17, 30, tzinfo=TZ)),
    ],
)
def test_due_forms(due: str, expected: datetime) -> None:
    assert _load(f"due: {due}\n").due == expected


def test_defaults_are_the_wizards() -> None:
    task = _load("due: +7d\n")
    assert (task.mode, task.units, task.late_ok, task.repeat) == (0, (), True, None)
    assert task.requires.text and not task.requires.photo and not task.requires.numbers


def test_targets_report_and_repeat() -> None:
    task = _load(
        "due: +7d\ntargets: [第一分工会, 7]\nlate_ok: false\nrepeat: 0 18 5 * *\n"
        "report: {text: false, photos: true, numbers: 参加人数，培训场次}\n"
    )
    assert task.mode == CHOSEN and task.units == ("第一分工会", 7)
    assert task.requires.photo and not task.requires.text
    assert task.requires.numbers == ("参加人数", "培训场次")
    assert task.late_ok is False and task.repeat == "0 18 5 * *"
    assert _load("due: +7d\ntargets: one_level\n").mode == 1


def test_every_problem_is_listed_with_its_place() -> None:
    bad = (
        "title: 检查\ninstructions: ''\ndue: 2026-12-01 09:00\ntargets: {a: 1}\n"
        "report: {photo: true, numbers: [a, b, c, d, e, f, g, h, i]}\nlate_ok: maybe\n"
        "repeat: sometimes\ncolour: red\n"
    )
    problems = load_task_file(bad, tz=TZ, now=NOW)
    assert isinstance(problems, list)
    places = {p.path for p in problems}
    assert {
        "instructions",
        "due",
        "targets",
        "report.photo",
        "report.numbers",
        "late_ok",
        "repeat",
        "colour",
    } <= (places), places
    blank = load_task_file("title: ' '\ninstructions: 请上报。\ndue: +1d\n", tz=TZ, now=NOW)
    assert isinstance(blank, list) and [p.path for p in blank] == ["title"]
    nothing = load_task_file(BASE + "due: +1d\nreport: {text: false}\n", tz=TZ, now=NOW)
    assert isinstance(nothing, list) and [p.path for p in nothing] == ["report"]
