"""Pacing: Telegram's global rate, shared by every process on the database, and 1/s per chat.

Time is injected (a `Timer`), so tests drive it without sleeping.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import math
import time
from collections import deque
from typing import Protocol

from bot.clock import Clock
from storage import delivery_pace
from storage.db import Database

log = logging.getLogger(__name__)

#: Telegram's pace for one chat; the margin absorbs clock differences with the server.
CHAT_INTERVAL = 1.0
RATE_MARGIN = 0.005
#: How much sending one reservation of shared slots covers (fewer transactions, fair share).
SLOT_BATCH_SECONDS = 0.2


class Timer(Protocol):
    """Where the engine reads elapsed time and waits; injected so tests do not sleep."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""

    async def sleep(self, seconds: float) -> None:
        """Wait this long (pacing)."""

    async def pass_time(self, seconds: float) -> None:
        """Let this much time pass on the engine's clock (waiting for a due row)."""


class SystemTimer:
    """Real time."""

    def monotonic(self) -> float:
        """time.monotonic()."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """asyncio.sleep."""
        await asyncio.sleep(max(0.0, seconds))

    async def pass_time(self, seconds: float) -> None:
        """asyncio.sleep: the wall clock moves by itself."""
        await asyncio.sleep(max(0.0, seconds))


class SharedPace:
    """Send slots at `rate`, reserved a few at a time from the database row every process uses.

    Slot times are stored on the wall clock (the one time base processes share) and
    converted to the timer's at reservation. A slot missed by more than `debt` is
    dropped, not sent late: late sends would bunch up with the next process's.
    """

    def __init__(
        self, db: Database, clock: Clock, timer: Timer, rate: float, *, debt: float
    ) -> None:
        self._db = db
        self._clock = clock
        self._timer = timer
        self.interval = (1.0 + RATE_MARGIN) / rate
        self._batch = max(1, round(rate * SLOT_BATCH_SECONDS))
        self._debt = debt
        self._slots: deque[float] = deque()

    async def next_slot(self) -> float:
        """The timer's time of this process's next slot (reserving more when out)."""
        now = self._timer.monotonic()
        slots = self._slots
        while slots and slots[0] < now - self._debt:
            slots.popleft()
        if slots:
            return slots[0]
        wall = self._clock.time()
        async with self._db.transaction() as tx:
            start = await delivery_pace.reserve(tx, self._batch, wall, self.interval)
        # The timer's time of the first slot; the wall clock only carried it across processes.
        first = start - wall + now
        slots.extend(first + i * self.interval for i in range(self._batch))
        return first

    def use(self) -> None:
        """The next slot was taken by a send."""
        if self._slots:
            self._slots.popleft()

    async def pause(self, seconds: float) -> None:
        """Tell every process: no sends for `seconds` (Telegram's retry_after)."""
        self._slots.clear()
        await delivery_pace.pause(self._db, self._clock.time() + seconds)


class RateLimiter:
    """A global rate and one message per chat per second, over any window of a second.

    Sends are paced at `rate` on a theoretical schedule, so one late wake-up is made
    up by the next sends. The hard limit counts what the server may have seen: a
    send reaches Telegram somewhere between our request and its answer, so a new
    send starts only while fewer than `rate` sends are in flight or were answered
    within the last window. That holds on the server's clock whatever the network
    or a busy event loop does to individual requests.
    """

    def __init__(
        self,
        rate: float | None,
        timer: Timer,
        *,
        margin: float = RATE_MARGIN,
        shared: tuple[Database, Clock] | None = None,
    ) -> None:
        self.rate = rate
        self._timer = timer
        self._window = 1.0 + margin
        self._interval = 1.0 / rate if rate else 0.0
        # Never bank more than a tenth of a second of missed slots (no bursts after a stall).
        self._debt = max(self._interval, 0.1)
        self._burst = max(1, int(rate)) if rate else 0
        self._in_flight = 0
        self._answered: deque[float] = deque()
        self._released = asyncio.Event()
        self._next = -math.inf
        self._resume_at = -math.inf
        self._lock = asyncio.Lock()
        self.chat_gap = CHAT_INTERVAL * self._window
        self._chat_last: dict[int, float] = {}
        self._chat_busy: set[int] = set()
        #: With a database, the rate is the sum over every process using it.
        self._shared = (
            SharedPace(shared[0], shared[1], timer, rate, debt=self._debt)
            if shared is not None and rate
            else None
        )

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until retry_after has passed, in any process."""
        self._resume_at = max(self._resume_at, self._timer.monotonic() + seconds)
        if self._shared is not None:
            try:
                await self._shared.pause(seconds)
            except Exception:  # the database is locked: this process still pauses
                log.warning("could not share a 429 pause with other processes", exc_info=True)

    def chat_delay(self, chat_id: int) -> float:
        """0 and the chat is reserved for the caller, or seconds to wait before trying."""
        if chat_id in self._chat_busy:
            return self.chat_gap
        last = self._chat_last.get(chat_id)
        if last is not None:
            waited = self._timer.monotonic() - last
            if waited < self.chat_gap - 1e-6:
                return self.chat_gap - waited
        self._chat_busy.add(chat_id)
        return 0.0

    def chat_done(self, chat_id: int, answered: float | None) -> None:
        """Release a reserved chat; `answered` is when its send was answered (None: not sent)."""
        self._chat_busy.discard(chat_id)
        if answered is not None:
            self._chat_last[chat_id] = answered
            if len(self._chat_last) > 50_000:
                # Forget chats whose gap has long passed, so memory stays bounded.
                floor = self._timer.monotonic() - self.chat_gap
                self._chat_last = {c: t for c, t in self._chat_last.items() if t > floor}

    async def acquire(self) -> float:
        """Wait for a send slot; return the moment it was granted. Pair with release()."""
        async with self._lock:
            while True:
                now = self._timer.monotonic()
                at = self._resume_at
                if self.rate:
                    at = max(at, await self._slot())
                    answered = self._answered
                    while answered and answered[0] <= now - self._window:
                        answered.popleft()
                    if self._in_flight + len(answered) >= self._burst:
                        if not answered:
                            # Only sends in flight fill the window: wait for an answer.
                            self._released.clear()
                            await self._released.wait()
                            continue
                        at = max(at, answered[0] + self._window)
                if at <= now:
                    break
                await self._timer.sleep(at - now)
            if self._shared is not None:
                self._in_flight += 1
                self._shared.use()
            elif self.rate:
                self._in_flight += 1
                # Slightly late (a busy loop): keep the schedule and make the slot up.
                # Idle for longer: start afresh, so a new broadcast never opens with a burst.
                base = self._next if now - self._next <= self._debt else now
                self._next = base + self._interval
            return now

    async def _slot(self) -> float:
        """When the schedule allows the next send: a shared slot, or this process's own."""
        if self._shared is None:
            return self._next
        try:
            return await self._shared.next_slot()
        except Exception:  # database locked past its timeout: pace alone a little slower
            log.warning("could not reserve shared send slots", exc_info=True)
            return self._timer.monotonic() + self._shared.interval

    def release(self, sent: bool) -> None:
        """The send of an acquired slot was answered (sent=True) or never made."""
        if not self.rate:
            return
        self._in_flight -= 1
        if sent:
            # Answers arrive almost in order; insort keeps the window check exact anyway.
            bisect.insort(self._answered, self._timer.monotonic())
        self._released.set()

