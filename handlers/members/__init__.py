"""Members & registration: /start, profiles, invite links, join requests, the roster."""

from __future__ import annotations

from bot.services import BotApp
from handlers.members import approvals, exports, invites, profile, roster, start
from handlers.registry import Registry


def register(app: BotApp, registry: Registry) -> None:
    """Registration, profile, approvals, invites, the exports hub and the roster import."""
    for module in (start, profile, approvals, invites, exports, roster):
        module.register(app, registry)
