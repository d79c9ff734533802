"""Fixtures for event tests: the real Application, its messages through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.delivery import Delivery
from bot.services import BotContext
from handlers.events import jobs
from storage import outbox
from tests.delivery.running import engine
from tests.harness import Harness


class EventHarness(Harness):
    """A Harness that also drains the delivery engine."""

    @property
    def engine(self) -> Delivery:
        """The app's delivery engine (bot.app always starts one)."""
        return engine(self)

    async def drain(self) -> int:
        """Process queued updates, then send whatever they put in the outbox.

        Rows held back by Telegram's one-message-a-second per chat are due a moment
        later: the clock moves on by that moment only, never to a far schedule.
        """
        handled = await super().drain()
        engine = self.engine
        for _ in range(20):
            await engine.drain()
            due = await outbox.next_due(self.db, self.clock.time())
            if due is None or due > self.clock.time() + 5:
                break
            self.clock.advance(max(0.0, due - self.clock.time()))
        return handled

    async def run_jobs(self) -> None:
        """What the JobQueue does every half minute, then deliver its messages."""
        await jobs.tick(BotContext(self.app))
        await self.drain()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[EventHarness]:
    """The real Application on a fresh database and fake Telegram."""
    harness = EventHarness(tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
