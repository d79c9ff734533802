"""Shared fixtures (a migrated SQLite file per test) and the fuzz-length options.

`pytest --fuzz-examples N [--fuzz-steps M]` runs the whole-bot fuzzer longer than make test.
"""

from __future__ import annotations

import os
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


def pytest_addoption(parser: pytest.Parser) -> None:
    """Options read by tests/fuzz/test_whole_bot.py when it is imported."""
    parser.addoption("--fuzz-examples", type=int, default=None, help="state-machine examples")
    parser.addoption("--fuzz-steps", type=int, default=None, help="steps per example")


def pytest_configure(config: pytest.Config) -> None:
    """Hand the options over as environment variables before the test module loads."""
    for option, env in (("--fuzz-examples", "FUZZ_EXAMPLES"), ("--fuzz-steps", "FUZZ_STEPS")):
        value = config.getoption(option, default=None)
        if value is not None:
            os.environ[env] = str(value)
