"""Fixtures for event tests: the real Application, through the outbox or sending directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.delivery import Delivery, hook_up
from bot.services import BotContext
from handlers.events import jobs
from handlers.registry import registry_of
from storage import outbox
from tests.harness import Harness
from tests.timers import ClockTimer


class EventHarness(Harness):
    """A Harness that also drains the delivery engine, or runs without one ("direct")."""

    direct = False

    @property
    def engine(self) -> Delivery | None:
        """The app's delivery engine, if one is running."""
        engine = self.app.bot_data.delivery
        return engine if isinstance(engine, Delivery) else None

    async def start(self) -> EventHarness:
        """Start the bot; make sure the chosen delivery path is the one in use."""
        await super().start()
        if self.direct and self.engine is not None:
            await self.engine.stop()
            self.app.bot_data.delivery = None
        elif not self.direct and self.engine is None:
            engine = Delivery(
                self.db,
                self.app.bot,
                self.app.bot_data.i18n,
                clock=self.clock,
                timer=ClockTimer(self.clock),
                rate=None,
                concurrency=4,
            )
            hook_up(self.app, engine, registry_of(self.app).hooks)
            self.app.bot_data.delivery = engine
        return self

    async def restart(self) -> None:
        """A redeploy on the same database, with the same delivery path."""
        await self.stop()
        self.app = self._build()
        await self.start()

    async def drain(self) -> int:
        """Process queued updates, then send whatever they put in the outbox.

        Rows held back by Telegram's one-message-a-second per chat are due a moment
        later: the clock moves on by that moment only, never to a far schedule.
        """
        handled = await super().drain()
        engine = self.engine
        if engine is None:
            return handled
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


@pytest.fixture(params=["outbox", "direct"])
async def bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventHarness]:
    """The real Application on a fresh database and fake Telegram (both delivery paths)."""
    harness = EventHarness(tmp_path)
    harness.direct = request.param == "direct"
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
