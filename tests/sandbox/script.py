"""A scripted person at the terminal chat: each line is typed once the screen shows a cue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

Step = tuple[str | None, str]


class Script:
    """Feeds lines to the terminal, each after the output shows what it waits for."""

    def __init__(self, steps: Iterable[Step], timeout: float = 5.0) -> None:
        self.timeout = timeout
        self.steps = iter(steps)
        self.output: list[str] = []
        self.changed = asyncio.Event()

    def write(self, text: str) -> None:
        """What the terminal prints."""
        self.output.append(text)
        self.changed.set()

    def shows(self, fragment: str) -> bool:
        """Whether anything printed so far contains fragment."""
        return any(fragment in chunk for chunk in self.output)

    async def wait_for(self, fragment: str) -> None:
        """Wait (bounded) until the screen shows fragment."""
        async with asyncio.timeout(self.timeout):
            while not self.shows(fragment):
                self.changed.clear()
                await self.changed.wait()

    async def read_line(self, prompt: str) -> str | None:
        """The next scripted line, typed once its cue is on screen."""
        wait_for, line = next(self.steps)
        if wait_for is not None:
            await self.wait_for(wait_for)
        return line
