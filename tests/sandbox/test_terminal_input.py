"""What a person types in the terminal chat: numbers are text, buttons have their own syntax."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.core import SandboxCore
from bot.sandbox.terminal import run_terminal
from tests.sandbox.echo_bot import AnyApp

Step = tuple[str | None, str]


class Script:
    """Feeds lines to the terminal, each after the output shows what it waits for."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps = iter(steps)
        self.output: list[str] = []
        self.changed = asyncio.Event()

    def write(self, text: str) -> None:
        self.output.append(text)
        self.changed.set()

    def shows(self, fragment: str) -> bool:
        return any(fragment in chunk for chunk in self.output)

    async def wait_for(self, fragment: str) -> None:
        async with asyncio.timeout(5):
            while not self.shows(fragment):
                self.changed.clear()
                await self.changed.wait()

    async def read_line(self, prompt: str) -> str | None:
        wait_for, line = next(self.steps)
        if wait_for is not None:
            await self.wait_for(wait_for)
        return line


@pytest.mark.xfail(strict=True, reason="a line of digits is taken as a button press")
async def test_numbers_are_sent_as_text_and_hash_presses_a_button(
    http_app: AnyApp, client: SandboxClient, core: SandboxCore
) -> None:
    script = Script(
        [
            (None, "/start"),
            ("English", "15"),
            ("── bot", "10086"),
            (None, "#2"),
            ("chose lang:en", ":quit"),
        ]
    )
    await run_terminal(client, [core.user(1)], read_line=script.read_line, write=script.write)

    sent = [m.get("text") for m in core.user_messages_for(1)]
    assert sent == ["/start", "15", "10086"]
    assert not script.shows("no such button")
    assert script.shows("(toast: got lang:en)")
