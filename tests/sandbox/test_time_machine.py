"""The time machine: durations, the offset clock, and the control API route."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.client import SandboxClient, SandboxClientError
from bot.sandbox.core import SandboxCore
from bot.sandbox.server import start_server
from bot.sandbox.time_machine import OffsetClock, parse_duration
from tests.timers import FakeClock


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1d", 86400), ("2h", 7200), ("30m", 1800), ("1w", 604800), ("1d 2h", 93600), (" 2H ", 7200)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "tomorrow", "1d x", "-1d", "0m", "400d"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_offset_clock_only_moves_forward() -> None:
    base = FakeClock()
    clock = OffsetClock(3600.0, base=base)
    assert clock.time() == base.time() + 3600
    clock.advance(86400)
    assert clock.now().timestamp() == base.time() + 90000
    with pytest.raises(ValueError):
        clock.advance(-60)


async def test_control_api_advances_through_the_time_machine() -> None:
    asked: list[float] = []

    async def advance(seconds: float) -> dict[str, Any]:
        asked.append(seconds)
        return {"now": "later", "offset_seconds": sum(asked), "job_runs": 0}

    async with (
        await start_server(SandboxCore(), advance=advance) as server,
        SandboxClient(server.url) as client,
    ):
        assert (await client.advance("2h"))["offset_seconds"] == 7200
        assert (await client.advance(60))["offset_seconds"] == 7260
        with pytest.raises(SandboxClientError, match="not a duration"):
            await client.advance("soon")
    assert asked == [7200, 60]


async def test_a_bare_fake_telegram_has_no_time_machine() -> None:
    async with await start_server(SandboxCore()) as server, SandboxClient(server.url) as client:
        with pytest.raises(SandboxClientError, match="no time machine"):
            await client.advance("1d")
