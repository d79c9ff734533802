"""Fixtures for the survey chat tests: a started bot in March 2025 and a small union."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.harness import Harness
from tests.started import started

#: 2025-03-03 09:00 in Shanghai: training_needs.yaml is open (1-20 March 2025).
START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The real Application on a fresh database, its clock in March 2025."""
    async with started(tmp_path, at=START) as harness:
        yield harness
