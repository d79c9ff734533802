"""A started Harness for fixtures: optionally at a set time, with settings; stopped after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.harness import Harness


@asynccontextmanager
async def started(
    tmp_path: Path, *, at: datetime | None = None, **settings: Any
) -> AsyncIterator[Harness]:
    """The real Application on a fresh database and fake Telegram, its clock at `at`."""
    harness = Harness(tmp_path, **settings)
    if at is not None:
        harness.clock.set(at)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
