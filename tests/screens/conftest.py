"""Helpers for the screen-defect tests (issue 14); the started bot comes from tests/conftest.py."""

from __future__ import annotations

from tests.harness import Harness


def refused(bot: Harness) -> list[str]:
    """Bot API calls fake Telegram refused, as "method: description"."""
    return [f"{c.method}: {c.description}" for c in bot.core.calls if c.error_code is not None]
