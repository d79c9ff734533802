"""Group commit of send results: what bounds "sent but not recorded" to the worker count."""

from __future__ import annotations

import asyncio
import logging

from bot.clock import Clock
from storage import outbox_leases
from storage.db import Database
from storage.outbox_leases import Outcome

log = logging.getLogger(__name__)


class ResultWriter:
    """Group commit: results that arrive while a transaction runs share the next one.

    A worker's submit() returns only after its row is committed, which is what
    keeps "sent but not recorded" bounded by the number of workers.
    """

    def __init__(self, db: Database, owner: str, clock: Clock) -> None:
        self._db = db
        self._owner = owner
        self._clock = clock
        self._queue: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, outcome: Outcome) -> None:
        """Queue one result and wait until it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((outcome, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="delivery-writer")
        await future

    async def _flush(self) -> None:
        """Commit queued results in batches until none are left."""
        while self._queue:
            batch, self._queue = self._queue, []
            error: BaseException | None = None
            for attempt in range(3):
                try:
                    async with self._db.transaction() as tx:
                        applied = await outbox_leases.record(
                            tx, self._owner, [o for o, _ in batch], self._clock.time()
                        )
                    if applied < len(batch):
                        log.warning(
                            "%s of %s results lost their lease", len(batch) - applied, len(batch)
                        )
                    error = None
                    break
                except Exception as exc:  # database locked by another process, disk full
                    error = exc
                    log.warning("recording results failed (try %s)", attempt + 1, exc_info=True)
                    await asyncio.sleep(0.05 * (attempt + 1))
            for _, future in batch:
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
