"""Fixtures for the sandbox tests: a core with a hand-driven clock, its server, bots."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.ext import Application

from bot.sandbox.client import SandboxClient
from bot.sandbox.core import SandboxCore
from bot.sandbox.server import RunningServer, start_server
from tests.sandbox.echo_bot import AnyApp, add_handlers


class ManualClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    """The core's clock."""
    return ManualClock()


@pytest.fixture
def core(clock: ManualClock) -> SandboxCore:
    """A core with members 1 (Li Lei) and 2 (Han Meimei)."""
    c = SandboxCore(clock=clock)
    c.add_user(1, "Li Lei", "lilei")
    c.add_user(2, "Han Meimei", language_code="en")
    return c


@pytest.fixture
async def server(core: SandboxCore) -> AsyncIterator[RunningServer]:
    """The core served on a free loopback port."""
    running = await start_server(core)
    yield running
    await running.stop()


@pytest.fixture
async def http_bot(core: SandboxCore, server: RunningServer) -> AsyncIterator[Bot]:
    """A PTB Bot using its normal HTTP transport against the sandbox."""
    async with Bot(core.token, base_url=server.base_url, base_file_url=server.base_file_url) as b:
        yield b


@pytest.fixture
async def client(server: RunningServer) -> AsyncIterator[SandboxClient]:
    """A control API client."""
    async with SandboxClient(server.url, poll_interval=0.5) as c:
        yield c


@pytest.fixture
async def http_app(core: SandboxCore, server: RunningServer) -> AsyncIterator[AnyApp]:
    """An Application long-polling the sandbox over HTTP."""
    app = (
        Application.builder()
        .token(core.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    add_handlers(app)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        yield app
        await app.updater.stop()
        await app.stop()
