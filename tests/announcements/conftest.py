"""Fixtures for announcement tests: the handler tests' started Harness."""

from __future__ import annotations

from tests.handlers.conftest import bot  # noqa: F401 - the same fixture: a started Harness
