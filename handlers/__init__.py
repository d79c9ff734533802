"""register(app): the single ordered list of handlers."""

from __future__ import annotations

import logging

from bot.services import BotApp, BotContext
from handlers import (
    admin,
    announcements,
    commands,
    dialog_recover,
    errors,
    events,
    fallback,
    guards,
    help,
    insight,
    members,
    menu,
    privacy,
    study,
    suggestions,
    surveys,
    tasks,
)
from handlers.registry import Registry, attach, registry_of

#: Feature modules in the order their handlers are tried; the fallback stays last.
FEATURES = (
    commands,
    members,
    menu,
    help,
    admin,
    events,
    suggestions,
    surveys,
    study,
    insight,
    privacy,
    announcements,
    tasks,
)


def register(app: BotApp) -> Registry:
    """Install every handler on the application and return the registry they filled."""
    registry = Registry()
    attach(app, registry)
    guards.register(app)
    for feature in FEATURES:
        feature.register(app, registry)
    fallback.register(app, registry)
    errors.register(app)
    return registry


async def recover(app: BotApp) -> None:
    """At start, draw the screens a stopped process left unsent (each feature declares how)."""
    context = BotContext(app)
    for redraw in (*registry_of(app).recoveries, dialog_recover.redraw_unsent):
        try:
            await redraw(context)
        except Exception:
            # Recovery is a courtesy: the steps stay stored and the feature's command
            # continues them, so a failure here (the database busy at start) must not keep
            # the bot from starting.
            logging.getLogger(__name__).exception("could not re-send unsent steps")
