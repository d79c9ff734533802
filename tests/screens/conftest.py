"""Fixtures for the screen-defect tests (issue 14): the handler tests' started Harness."""

from __future__ import annotations

from tests.handlers.conftest import bot  # noqa: F401 - the same fixture: a started Harness
from tests.harness import Harness


def refused(bot: Harness) -> list[str]:  # noqa: F811 - a Harness, not the fixture
    """Bot API calls fake Telegram refused, as "method: description"."""
    return [f"{c.method}: {c.description}" for c in bot.core.calls if c.error_code is not None]
