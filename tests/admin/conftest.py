"""Fixtures: a started Harness per test (the one tests/handlers uses)."""

from __future__ import annotations

from tests.handlers.conftest import bot as bot
