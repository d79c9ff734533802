"""Announcements: officers compose, schedule and follow notices to exactly their units."""

from __future__ import annotations

from bot.services import BotApp
from handlers.announcements import wizard
from handlers.registry import Registry


def register(app: BotApp, registry: Registry) -> None:
    """The announcement buttons, /announce, the wizard dialog, the ack button and the menu."""
    wizard.register(app, registry)
