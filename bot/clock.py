"""Clocks: the real one, and a fake one tests drive forward without sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Where the bot reads the time; injected so tests can drive it."""

    def time(self) -> float:
        """Seconds since the epoch (UTC)."""

    def now(self) -> datetime:
        """The current moment as an aware UTC datetime."""


class SystemClock:
    """The wall clock."""

    def time(self) -> float:
        """Seconds since the epoch (UTC)."""
        return time.time()

    def now(self) -> datetime:
        """The current moment as an aware UTC datetime."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | float | None = None) -> None:
        if start is None:
            start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
        self._t = start.timestamp() if isinstance(start, datetime) else float(start)

    def time(self) -> float:
        """Seconds since the epoch (UTC)."""
        return self._t

    def now(self) -> datetime:
        """The current moment as an aware UTC datetime."""
        return datetime.fromtimestamp(self._t, UTC)

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self._t += seconds

    def set(self, moment: datetime) -> None:
        """Jump to a moment (forward or back)."""
        self._t = moment.timestamp()


class OffsetClock:
    """The wall clock plus an offset that only grows: the sandbox's time machine.

    Only the sandbox builds one; production gets a SystemClock.
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
