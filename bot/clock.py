"""The clock protocol and the wall clock (tests and the sandbox bring their own clocks)."""

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
