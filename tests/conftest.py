"""Shared fixtures: a migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database, open_database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real, fully migrated SQLite database file in tmp_path."""
    database = await open_database(tmp_path / "test.sqlite3")
    try:
        yield database
    finally:
        await database.close()
