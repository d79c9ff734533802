"""register(app): the single ordered list of handlers."""

from __future__ import annotations

import logging

from bot.services import BotApp, BotContext
from handlers import (
    admin,
    announce,
    audit_view,
    commands,
    dashboard,
    dialog_recover,
    errors,
    events,
    events_checkin,
    events_edit,
    events_feedback,
    events_officer,
    events_wizard,
    fallback,
    guards,
    help,
    members,
    menu,
    privacy,
    study,
    study_officer,
    study_upload,
    suggestions,
    survey_recover,
    surveys,
    surveys_officer,
    tasks,
)
from handlers.registry import Registry, attach

#: Feature modules in the order their handlers are tried; the fallback stays last.
FEATURES = (
    commands,
    members,
    menu,
    help,
    admin,
    events,
    events_checkin,
    events_feedback,
    events_wizard,
    events_officer,
    events_edit,
    suggestions,
    surveys,
    surveys_officer,
    study,
    study_officer,
    study_upload,
    dashboard,
    audit_view,
    privacy,
    announce,
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
    """At start, draw the screens a stopped process left unsent (survey_recover, dialog_recover)."""
    try:
        await survey_recover.redraw_unsent(BotContext(app))
    except Exception:
        # Recovery is a courtesy: the steps stay stored and /surveys continues them, so a
        # failure here (the database busy at start) must not keep the bot from starting.
        logging.getLogger(__name__).exception("could not re-send unsent survey steps")
    try:
        await dialog_recover.redraw_unsent(BotContext(app))
    except Exception:
        # The same courtesy for wizards: the step is stored and is drawn on the next message.
        logging.getLogger(__name__).exception("could not re-send unsent dialog steps")
