"""Fixtures for handler tests: a started Harness per test."""

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
