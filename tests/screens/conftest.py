"""Fixtures for the screen-defect tests (issue 14): a started Harness per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The real Application on a fresh database and fake Telegram."""
    harness = await Harness(tmp_path).start()
    try:
        yield harness
    finally:
        await harness.stop()


def refused(bot: Harness) -> list[str]:
    """Bot API calls fake Telegram refused, as "method: description"."""
    return [f"{c.method}: {c.description}" for c in bot.core.calls if c.error_code is not None]
