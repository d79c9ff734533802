"""Progress of running broadcasts, handed to their kind's listeners every few seconds."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable

from bot.clock import Clock
from bot.delivery.pacing import Timer
from bot.delivery.stats import Listener, broadcast_stats, guarded
from storage import outbox
from storage.db import Database

log = logging.getLogger(__name__)


class Progress:
    """Finishes complete broadcasts and tells listeners, at most every `interval` seconds."""

    def __init__(self, db: Database, clock: Clock, timer: Timer, interval: float) -> None:
        self._db = db
        self._clock = clock
        self._timer = timer
        self.interval = interval
        self._listeners: dict[str, list[Listener]] = {}
        self._next = -math.inf
        self._task: asyncio.Task[None] | None = None
        self._listener_tasks: set[asyncio.Task[None]] = set()

    def add_listener(self, kind: str, listener: Listener) -> None:
        """Call `listener(stats)` every few seconds while a broadcast of this kind runs."""
        self._listeners.setdefault(kind, []).append(listener)

    def pending(self) -> list[asyncio.Task[None]]:
        """Reports and listeners still running."""
        return [t for t in (self._task, *self._listener_tasks) if t is not None]

    async def settle(self) -> None:
        """Wait until listeners started so far have run (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])
        while self._listener_tasks:
            await asyncio.wait(list(self._listener_tasks))

    def maybe_report(self) -> None:
        """Start a report in the background when the interval has passed and none runs."""
        now = self._timer.monotonic()
        if now < self._next:
            return
        if self._task is not None and not self._task.done():
            return
        self._next = now + self.interval
        self._task = asyncio.create_task(self._tick(), name="delivery-progress")

    async def _tick(self) -> None:
        """Finish completed broadcasts and report progress of running ones."""
        try:
            finished = await outbox.finish(self._db, self._clock.time())
            active = await outbox.active_ids(self._db)
            await self.report_now(sorted(set(active) | set(finished)))
        except Exception:
            log.warning("progress report failed", exc_info=True)

    async def report_now(self, broadcast_ids: Iterable[int]) -> None:
        """Hand fresh stats of these broadcasts to their kind's listeners (in the background)."""
        if not self._listeners:
            return
        for broadcast_id in broadcast_ids:
            broadcast = await outbox.get(self._db, broadcast_id)
            if broadcast is None or broadcast.kind not in self._listeners:
                continue
            stats = await broadcast_stats(self._db, broadcast_id)
            for listener in self._listeners[broadcast.kind]:
                task = asyncio.create_task(guarded(listener, stats), name="delivery-listener")
                self._listener_tasks.add(task)
                task.add_done_callback(self._listener_tasks.discard)
