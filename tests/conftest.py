"""Shared fixtures (a migrated SQLite file, a started bot per test) and the fuzz-length options.

`pytest --fuzz-examples N [--fuzz-steps M]` runs the whole-bot fuzzer longer than make test.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.core import SandboxCore
from storage.db import Database, open_database
from tests import api_errors
from tests.harness import Harness
from tests.started import started


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real, fully migrated SQLite database file in tmp_path."""
    database = await open_database(tmp_path / "test.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The real Application on a fresh database and fake Telegram (folders may override it)."""
    async with started(tmp_path) as harness:
        yield harness


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The sandbox's own tests provoke refusals on purpose: they opt out of the check."""
    for item in items:
        if "tests/sandbox/" in item.nodeid:
            item.add_marker(pytest.mark.api_errors())


@pytest.fixture(autouse=True)
def no_refused_api_calls(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fail the test if fake Telegram refused a call it did not expect (tests/api_errors.py)."""
    cores: list[SandboxCore] = []
    original = SandboxCore.__init__

    def recording_init(self: SandboxCore, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        cores.append(self)

    monkeypatch.setattr(SandboxCore, "__init__", recording_init)
    yield
    marker = request.node.get_closest_marker(api_errors.MARKER)
    expected = tuple(marker.args) if marker is not None else None
    refused = api_errors.unexpected(cores, expected)
    if refused:
        pytest.fail(api_errors.describe(refused), pytrace=False)
