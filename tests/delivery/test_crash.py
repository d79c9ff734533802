"""kill -9 in the middle of a broadcast: a restart finishes it, nobody is lost."""

from __future__ import annotations

from pathlib import Path

from benchmarks.delivery import crash


async def test_a_broadcast_survives_sigkill_of_the_sending_process(tmp_path: Path) -> None:
    concurrency = 4
    result = await crash(tmp_path, 300, concurrency, lease=1.0, kill_at=0.4)
    # The first process really died midway, and the second one finished the job.
    assert 0 < result["sent_at_kill"] < 300
    assert result["restart_exit_code"] == 0
    assert result["lost"] == 0
    # Only sends in flight at the moment of the kill can be repeated.
    assert result["duplicates"] <= concurrency
