"""Fixtures for task tests: the real Application on a fresh database and fake Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """A started bot with default settings; stopped (database closed) afterwards."""
    harness = await Harness(tmp_path).start()
    try:
        yield harness
    finally:
        await harness.stop()
