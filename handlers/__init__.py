"""register(app): the single ordered list of handlers."""

from __future__ import annotations

import logging

from bot.services import BotApp, BotContext
from handlers import (
    announcements,
    approvals,
    commands,
    errors,
    events,
    fallback,
    guards,
    help,
    insight,
    invites,
    menu,
    privacy,
    profile,
    roles_admin,
    roster,
    start,
    study,
    suggestions,
    suggestions_inbox,
    suggestions_mine,
    suggestions_officer,
    suggestions_supervision,
    surveys,
    tasks,
    units_admin,
)
from handlers.events import recover as event_recover
from handlers.registry import Registry, attach

#: Feature modules in the order their handlers are tried; the fallback stays last.
FEATURES = (
    commands,
    start,
    menu,
    help,
    profile,
    approvals,
    invites,
    units_admin,
    roles_admin,
    events,
    suggestions,
    suggestions_mine,
    suggestions_inbox,
    suggestions_officer,
    suggestions_supervision,
    surveys,
    study,
    insight,
    privacy,
    roster,
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
    """At start, draw the screens a stopped process left unsent (surveys, wizards)."""
    context = BotContext(app)
    for redraw in (
        surveys.recover.redraw_unsent,
        announcements.recover.redraw_unsent,
        study.recover.redraw_unsent,
        event_recover.redraw_unsent,
    ):
        try:
            await redraw(context)
        except Exception:
            # Recovery is a courtesy: the steps stay stored and the feature's command
            # continues them, so a failure here (the database busy at start) must not keep
            # the bot from starting.
            logging.getLogger(__name__).exception("could not re-send unsent steps")
