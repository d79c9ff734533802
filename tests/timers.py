"""Test clocks: a FakeClock moved by hand, and virtual time for the delivery engine's pacing."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from collections.abc import AsyncIterator
from datetime import UTC, datetime


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


class ClockTimer:
    """Virtual time on a FakeClock: sleeping moves the clock instead of waiting.

    Only one coroutine of an engine sleeps at a time (the rate limiter holds its
    lock while waiting), and the clock is moved synchronously before yielding, so a
    second engine on the same clock finds it already moved and waits only the rest.
    """

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock

    def monotonic(self) -> float:
        """The fake clock's time."""
        return self._clock.time()

    async def sleep(self, seconds: float) -> None:
        """Advance the fake clock, then let other tasks run."""
        if seconds > 0:
            self._clock.advance(seconds)
        await asyncio.sleep(0)

    async def pass_time(self, seconds: float) -> None:
        """The same: the engine's clock is the fake clock."""
        await self.sleep(seconds)


class OffsetTimer:
    """Virtual time for an app under test: pacing runs on a private offset of a FakeClock.

    Pacing sleeps are instant and never move the app's own clock, so features that
    stamp times (answers, sign-ups) see exactly the time their test set. Waiting for
    a due row (drain(wait_due=True)) does move it: the test asked to run until done.
    """

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._offset = 0.0

    def monotonic(self) -> float:
        """The clock's time plus what the engine has "slept" so far."""
        return self._clock.time() + self._offset

    async def sleep(self, seconds: float) -> None:
        """Move the private offset, then let other tasks run."""
        if seconds > 0:
            self._offset += seconds
        await asyncio.sleep(0)

    async def pass_time(self, seconds: float) -> None:
        """Advance the app's fake clock, then let other tasks run."""
        if seconds > 0:
            self._clock.advance(seconds)
        await asyncio.sleep(0)


class VirtualTime:
    """One FakeClock for several engines at once, like processes sharing the wall clock.

    A ClockTimer moves the clock as soon as one engine waits, past the moments the
    other engine meant to send at. Here the clock moves to the earliest wake-up only
    once every running engine is waiting, so each sends exactly when it meant to.
    """

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._running = 0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = 0

    def timer(self) -> VirtualTimer:
        """A timer for one engine."""
        return VirtualTimer(self)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Count an engine as running (the clock waits for it) inside the block."""
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            self._advance()

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock reaches now + seconds."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._order += 1
        heapq.heappush(self._sleepers, (self._clock.time() + seconds, self._order, future))
        self._advance()
        await future

    def _advance(self) -> None:
        """Move to the earliest wake-up once nobody running is busy; wake who is due."""
        sleepers = self._sleepers
        if not sleepers or len(sleepers) < self._running:
            return
        first = sleepers[0][0]
        if first > self._clock.time():
            self._clock.advance(first - self._clock.time())
        while sleepers and sleepers[0][0] <= self._clock.time():
            heapq.heappop(sleepers)[2].set_result(None)


class VirtualTimer:
    """One engine's view of a VirtualTime."""

    def __init__(self, time: VirtualTime) -> None:
        self._time = time
        self._clock = time._clock

    def monotonic(self) -> float:
        """The shared fake clock's time."""
        return self._clock.time()

    async def sleep(self, seconds: float) -> None:
        """Wait on the shared virtual time."""
        await self._time.sleep(seconds)

    async def pass_time(self, seconds: float) -> None:
        """The same as sleep."""
        await self._time.sleep(seconds)
