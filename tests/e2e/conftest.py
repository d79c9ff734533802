"""End-to-end fixtures: the real Application polls the sandbox server over real HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram.request import BaseRequest

from bot.app import build_application, start_app, stop_app
from bot.clock import Clock
from bot.config import load_settings
from bot.logs import install_redaction
from bot.sandbox.client import SandboxClient
from bot.sandbox.core import BotMessage, Limits, SandboxCore
from bot.sandbox.server import RunningServer, start_server
from bot.services import BotApp
from storage.db import Database
from tests.harness import RELAY_KEY
from tests.timers import FakeClock, OffsetTimer

TOKEN = "987654:E2E-SECRET-TOKEN-do-not-log"


class Person:
    """A simulated member acting over HTTP and waiting for what they would see."""

    def __init__(self, client: SandboxClient, user_id: int) -> None:
        self.client = client
        self.user_id = user_id

    async def _snapshot(self) -> tuple[int, dict[int, tuple[str, int]]]:
        version, messages = await self.client.chat_state(self.user_id)
        return version, {m.message_id: (m.text, m.edit_count) for m in messages}

    async def _await_change(
        self, before: dict[int, tuple[str, int]], version: int, fragment: str, timeout: float
    ) -> BotMessage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            version, messages = await self.client.chat_state(
                self.user_id, version, min(1.0, max(0.0, deadline - loop.time()))
            )
            for msg in reversed(messages):
                changed = before.get(msg.message_id) != (msg.text, msg.edit_count)
                if changed and not msg.deleted and fragment in msg.text:
                    return msg
            if loop.time() >= deadline:
                texts = [m.text[:80] for m in messages[-3:]]
                raise AssertionError(f"user {self.user_id} never saw {fragment!r}; last: {texts}")

    async def say(self, text: str, expect: str = "", timeout: float = 10.0) -> BotMessage:
        """Send text and wait for a new or edited message containing `expect`."""
        version, before = await self._snapshot()
        await self.client.user_send_text(self.user_id, text)
        return await self._await_change(before, version, expect, timeout)

    async def press(self, label: str, expect: str = "", timeout: float = 10.0) -> BotMessage:
        """Press a button by label and wait for the screen that follows."""
        version, before = await self._snapshot()
        await self.client.user_press_button(self.user_id, label)
        return await self._await_change(before, version, expect, timeout)

    async def press_data(self, message_id: int, data: str, timeout: float = 10.0) -> str:
        """Press with arbitrary (forged) data; wait for the bot's answer text."""
        query_id = await self.client.user_press(self.user_id, message_id, data)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            answer = await self.client.callback_answer(query_id)
            if answer.get("answered"):
                return str(answer.get("text") or "")
            await asyncio.sleep(0.05)  # polling the fake server's state, not waiting on time
        raise AssertionError(f"press {data!r} was never answered")

    async def expect(self, fragment: str, timeout: float = 10.0) -> BotMessage:
        """Wait until any visible message contains fragment (for notices from others)."""
        return await self._await_change({}, 0, fragment, timeout)

    async def labels(self) -> list[str]:
        """Labels on the newest message with buttons."""
        for msg in reversed(await self.client.messages_for(self.user_id)):
            if msg.buttons and not msg.deleted:
                return [str(b.get("text")) for b in msg.buttons]
        return []


@dataclass
class Stack:
    """Server, client and a restartable bot on one database."""

    core: SandboxCore
    server: RunningServer
    client: SandboxClient
    db_path: Path
    settings_overrides: dict[str, Any]
    app: BotApp | None = None
    people: dict[int, Person] = field(default_factory=dict)
    #: Optional factory for the bot's request object (e.g. a short read timeout).
    request_factory: Callable[[], BaseRequest] | None = None
    #: Injected clock (kept across restarts); None for the system clock.
    clock: Clock | None = None

    def build(self) -> BotApp:
        settings = load_settings(**self.settings_overrides)
        request = self.request_factory() if self.request_factory else None
        # On a fake clock the engine paces in virtual time too (real time otherwise).
        pacing = OffsetTimer(self.clock) if isinstance(self.clock, FakeClock) else None
        return build_application(settings, request=request, clock=self.clock, pacing=pacing)

    async def start_bot(self) -> None:
        self.app = self.build()
        await start_app(self.app, poll_interval=0.0)

    async def stop_bot(self) -> None:
        if self.app is not None:
            await stop_app(self.app)
            self.app = None

    async def restart_bot(self) -> None:
        await self.stop_bot()
        await self.start_bot()

    @property
    def db(self) -> Database:
        assert self.app is not None
        return self.app.bot_data.db

    async def person(self, user_id: int, name: str, language_code: str = "zh-hans") -> Person:
        await self.client.add_user(user_id, name, language_code=language_code)
        self.people[user_id] = Person(self.client, user_id)
        return self.people[user_id]


@asynccontextmanager
async def running_stack(
    tmp_path: Path, *, clock: Clock | None = None, **settings: Any
) -> AsyncIterator[Stack]:
    """Sandbox server on loopback plus the real bot polling it (optionally on a FakeClock)."""
    install_redaction([TOKEN])
    core = SandboxCore(TOKEN, "union_e2e_bot", limits=Limits(per_chat_burst=10))
    server = await start_server(core)
    client = SandboxClient(server.url, poll_interval=0.5)
    overrides: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "database_path": tmp_path / "e2e.sqlite3",
        "bot_api_base_url": server.base_url,
        "bot_api_base_file_url": server.base_file_url,
        "admin_ids": (1,),
        "relay_key": RELAY_KEY,
        **settings,
    }
    s = Stack(core, server, client, tmp_path / "e2e.sqlite3", overrides, clock=clock)
    await s.start_bot()
    try:
        yield s
    finally:
        await s.stop_bot()
        await client.close()
        await server.stop()


@pytest.fixture
async def stack(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Stack]:
    """The standard stack; logs captured at DEBUG (the token test reads them)."""
    caplog.set_level(logging.DEBUG)
    async with running_stack(tmp_path) as s:
        yield s
