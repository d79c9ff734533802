"""The `updates` and `scale` benchmarks at tiny sizes: they run, print one JSON line, count right.

No timing assertions: the figures themselves are for the README, not for tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks import scale, updates
from benchmarks.__main__ import SCENARIOS
from benchmarks.common import QUESTIONS, percentile


def _one_line(out: str) -> dict[str, Any]:
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    figures: dict[str, Any] = json.loads(lines[0])
    return figures


def test_both_scenarios_are_registered() -> None:
    assert SCENARIOS["updates"] is updates.main
    assert SCENARIOS["scale"] is scale.main


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 99) == 0.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([float(n) for n in range(1, 101)], 99) == 99.0


async def test_updates_prints_three_lines_and_every_member_answers_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await updates.main(["--members", "5", "--think-ms", "5", "--fair-members", "3",
                        "--flood", "4", "--export-rows", "20"])  # fmt: skip
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [line["scenario"] for line in lines] == ["updates", "updates_paced", "fairness"]
    figures, paced, fairness = lines
    for name in ("scenario", "members", "updates", "updates_per_second", "p50_ms", "p99_ms",
                 "baseline_updates_per_second", "ratio", "stored_responses"):  # fmt: skip
        assert name in figures, name
    assert figures["members"] == 5
    # open, Start, one press per question, Submit.
    assert figures["presses_per_member"] == QUESTIONS + 3
    assert figures["updates"] == 5 * (QUESTIONS + 3)
    assert figures["stored_responses"] == 5
    assert figures["stored_once"] is True
    assert figures["unanswered_queries"] == 0
    assert figures["updates_per_second"] > 0 and figures["baseline_updates_per_second"] > 0
    assert figures["ratio"] > 0
    assert paced["updates"] == 5 * (QUESTIONS + 3) and paced["stored_once"] is True
    assert paced["think_ms"] == 5 and paced["p99_ms"] > 0
    for name in ("others_p99_ms", "others_p99_alone_ms", "others_p99_ratio"):
        assert fairness[name] > 0, name
    assert fairness["export_seconds"] > 0 and fairness["export_rows"] == 20
    assert fairness["flood_presses"] == 4 and fairness["unanswered_queries"] == 0


def test_response_counts_share_the_answers() -> None:
    assert scale.response_counts(100_000, 50, 1_000_000)[:2] == [100_000, 18_368]
    assert sum(scale.response_counts(100_000, 50, 1_000_000)) == 1_000_000
    assert scale.response_counts(5, 50, 200)[0] == 5
    assert sum(scale.response_counts(5, 50, 200)) == 200
    # Never more responses to one survey than there are members.
    assert scale.response_counts(5, 2, 200) == [5, 5]


async def test_scale_measures_a_tiny_union(capsys: pytest.CaptureFixture[str]) -> None:
    await scale.main(["--members", "5", "--answers", "200"])
    figures = _one_line(capsys.readouterr().out)
    names = ("scenario", "members", "answers", "results_ms", "results_floor_ms",
             "export_seconds", "export_peak_rss_mb", "dashboard_ms", "idle_rss_mb")  # fmt: skip
    for name in names:
        assert name in figures, name
    assert figures["scenario"] == "scale"
    assert figures["members"] == 5
    assert figures["answers"] == 200
    assert figures["surveys"] == 50
    assert figures["recipients"] == 5 * 50
    assert figures["export_rows"] == 5
    assert figures["export_bytes"] > 0
    for name in ("results_ms", "export_seconds", "dashboard_ms", "idle_rss_mb"):
        assert figures[name] > 0, name
