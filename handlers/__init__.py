"""register(app): the single ordered list of handlers."""

from __future__ import annotations

from bot.services import BotApp
from handlers import (
    approvals,
    commands,
    errors,
    fallback,
    guards,
    invites,
    menu,
    profile,
    roles_admin,
    start,
    units_admin,
)
from handlers.registry import Registry

#: Feature modules in the order their handlers are tried; the fallback stays last.
FEATURES = (commands, start, menu, profile, approvals, invites, units_admin, roles_admin)


def register(app: BotApp) -> Registry:
    """Install every handler on the application and return the registry they filled."""
    registry = Registry()
    app.bot_data.registry = registry
    guards.register(app)
    for feature in FEATURES:
        feature.register(app, registry)
    fallback.register(app, registry)
    errors.register(app)
    return registry
