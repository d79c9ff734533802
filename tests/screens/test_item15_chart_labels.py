"""Item 15: chart labels stay readable with long option texts (at most two short lines)."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.axes import Axes

from bot import charts

LONG = "希望工会能够协调食堂延长晚餐供应时间并增加适合夜班职工的热食和清淡菜品选择" * 2


def test_long_option_labels_are_abbreviated_to_two_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = Axes.set_yticklabels

    def capture(self: Axes, labels: Any, *args: Any, **kwargs: Any) -> Any:
        seen.extend(str(label) for label in labels)
        return original(self, labels, *args, **kwargs)

    monkeypatch.setattr(Axes, "set_yticklabels", capture)
    png = charts.bar_chart("满意度", [LONG, "满意", LONG + "（其他）"], [3, 5, 1])
    assert png.startswith(b"\x89PNG")
    assert len(seen) == 3 and seen[1] == "满意"
    assert all(len(label.split("\n")) <= 2 for label in seen)
    assert seen[0].endswith("…")  # the full text is in the results message
