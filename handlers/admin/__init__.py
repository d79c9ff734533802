"""Administration in chat: the unit tree and who holds which role."""

from __future__ import annotations

from bot.services import BotApp
from handlers.admin import roles, units
from handlers.registry import Registry


def register(app: BotApp, registry: Registry) -> None:
    """The unit tree and the role screens."""
    units.register(app, registry)
    roles.register(app, registry)
