"""The leases this process holds on outbox rows, kept alive in the database while rows wait."""

from __future__ import annotations

import asyncio
import logging
import math

from bot.clock import Clock
from storage import outbox_leases
from storage.db import Database

log = logging.getLogger(__name__)


class Leases:
    """Row id -> lease expiry for every row queued here or in flight."""

    def __init__(self, db: Database, owner: str, clock: Clock, seconds: float) -> None:
        self._db = db
        self._owner = owner
        self._clock = clock
        self.seconds = seconds
        self._until: dict[int, float] = {}
        self._renewed_at = -math.inf

    def __contains__(self, row_id: int) -> bool:
        return row_id in self._until

    def __bool__(self) -> bool:
        return bool(self._until)

    def hold(self, row_id: int, until: float) -> None:
        """Note a lease the database granted (a claim)."""
        self._until[row_id] = until

    def drop(self, row_id: int) -> None:
        """Forget a row (its result is being recorded)."""
        self._until.pop(row_id, None)

    def clear(self) -> None:
        """Forget every row (they are being handed back)."""
        self._until.clear()

    def ok(self, row_id: int) -> bool:
        """Enough lease left that nobody else can take the row before our send ends."""
        return self._until.get(row_id, 0.0) - self._clock.time() > self.seconds / 2

    def stale(self) -> bool:
        """Whether rows are held and a third of a lease has passed since the last renewal."""
        return bool(self._until) and self._clock.time() - self._renewed_at > self.seconds / 3

    async def keep_alive(self) -> None:
        """Renew in real time until cancelled (rows may wait out long 429 pauses)."""
        while True:
            await asyncio.sleep(self.seconds / 3)
            await self.renew()

    async def renew(self) -> None:
        """Extend the leases of rows held here; forget rows someone else took over."""
        now = self._clock.time()
        self._renewed_at = now
        ids = list(self._until)
        if not ids:
            return
        until = now + self.seconds
        try:
            async with self._db.transaction() as tx:
                kept = await outbox_leases.renew(tx, self._owner, ids, until)
        except Exception:
            log.warning("lease renewal failed", exc_info=True)
            return
        for row_id in ids:
            if row_id not in self._until:
                continue  # finished meanwhile
            if row_id in kept:
                self._until[row_id] = until
            else:
                log.warning("lost the lease of row %s; it will not be sent here", row_id)
                del self._until[row_id]
