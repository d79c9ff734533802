"""Item 9: ➕ Add lessons takes a file with only `lessons:`, as its prompt asks."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from surveys.study import Additions, load_plan_file

LESSONS_ONLY = """\
lessons:
  - title: 学党规：廉洁自律准则
    text: 党员领导干部廉洁自律规范。
"""


def test_a_file_with_only_lessons_is_an_addition() -> None:
    loaded = load_plan_file(LESSONS_ONLY, tz=ZoneInfo("Asia/Shanghai"))
    assert isinstance(loaded, Additions)
    assert loaded.plan is None and [lesson.title for lesson in loaded.lessons] == [
        "学党规：廉洁自律准则"
    ]
