"""The sandbox's time machine: move the bot's clock forward and run what fell due."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, SystemClock

if TYPE_CHECKING:  # the fake server imports parse_duration without the bot
    from bot.services import BotApp

#: Jobs run after each step of at most this much, so what is due fires in order
#: (a reminder before the deadline it announces, an offer before it expires).
STEP_SECONDS = 3600.0
MAX_SECONDS = 366 * 86400.0
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60}
_PART = re.compile(r"(\d+)\s*([wdhm])")

#: The time machine as the server calls it: seconds -> what advance() returns.
Advance = Callable[[float], Awaitable[dict[str, Any]]]



class OffsetClock:
    """The wall clock plus an offset that only grows: the sandbox's time machine.

    The sandbox builds one; production gets a SystemClock.
    """

    def __init__(self, offset: float = 0.0, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self.offset = max(0.0, float(offset))

    def time(self) -> float:
        """Seconds since the epoch (UTC), moved forward by the offset."""
        return self._base.time() + self.offset

    def now(self) -> datetime:
        """The current moment as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> None:
        """Move time forward (never back: rows already written would come from the future)."""
        if seconds <= 0:
            raise ValueError("time only moves forward")
        self.offset += seconds


def parse_duration(text: str) -> float:
    """Seconds in "1d", "2h", "30m", "1w" or combinations such as "1d 2h"; ValueError else."""
    cleaned = text.strip().lower()
    parts = _PART.findall(cleaned)
    if not cleaned or _PART.sub("", cleaned).strip() or not parts:
        raise ValueError(f"{text!r} is not a duration like 1d, 2h, 30m or 1w")
    seconds = float(sum(int(n) * _UNITS[unit] for n, unit in parts))
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError("move time forward by at least a minute and at most a year")
    return seconds


class TimeMachine:
    """Moves one sandbox's clock (the bot's and fake Telegram's) and runs due jobs."""

    def __init__(self, clock: OffsetClock, on_change: Callable[[], None] = lambda: None) -> None:
        self.clock = clock
        self.app: BotApp | None = None
        self._on_change = on_change

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move forward in steps, running every job after each; the new time and offset."""
        if not 0 < seconds <= MAX_SECONDS:
            raise ValueError("move time forward by at least a minute and at most a year")
        remaining, runs = seconds, 0
        while remaining > 0:
            step = min(STEP_SECONDS, remaining)
            self.clock.advance(step)
            remaining -= step
            runs += await self._run_jobs()
        self._on_change()
        return {"now": self.describe(), "offset_seconds": self.clock.offset, "job_runs": runs}

    async def _run_jobs(self) -> int:
        app = self.app
        if app is None or app.job_queue is None:
            return 0
        jobs = app.job_queue.jobs()
        for job in jobs:
            await job.run(app)
        if app.bot_data.delivery is not None:
            # Send what fell due before the clock jumps again: a send in flight across a
            # jump would outlive its lease, and reminders would trail their deadlines.
            await app.bot_data.delivery.drain()
        return len(jobs)

    def describe(self) -> str:
        """The sandbox's time in the bot's zone, e.g. "2026-03-03 09:00 (Asia/Shanghai)"."""
        zone = self.app.bot_data.settings.timezone if self.app is not None else "UTC"
        local = datetime.fromtimestamp(self.clock.time(), ZoneInfo(zone))
        return f"{local:%Y-%m-%d %H:%M} ({zone})"
