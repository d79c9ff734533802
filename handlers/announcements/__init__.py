"""Announcements: officers compose, schedule and follow notices to exactly their units."""

from __future__ import annotations

from telegram.ext import CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp
from handlers.announcements import input, manage, picker, recover, wizard
from handlers.announcements.draft import KIND, routes
from handlers.announcements.report import ack_routes, progress_listener
from handlers.registry import CommandEntry, DialogRoute, MenuEntry, Registry

# Importing each module declares its buttons on `routes`; these are the feature's rooms.
__all__ = ["input", "manage", "picker", "recover", "register", "wizard"]


def register(app: BotApp, registry: Registry) -> None:
    """Add /announce, its buttons, the acknowledge button, the wizard dialog and the menu entry."""
    registry.delivery_listener(KIND, progress_listener)
    registry.recovery(recover.redraw_unsent)
    app.add_handler(CommandHandler("announce", wizard.on_command, filters=filters.ChatType.PRIVATE))
    routes.install(app)
    ack_routes.install(app)
    registry.dialog(
        KIND,
        DialogRoute(
            on_text=input.on_text,
            on_media=input.on_media,
            reprompt=input.reprompt,
            cancel_note=N_("The announcement was not sent."),
        ),
    )
    registry.add_menu(MenuEntry(N_("📢 Announcements"), routes.data("home"), "officer", 20))
    registry.add_command(CommandEntry("announce", N_("Send an announcement"), "officer", 55))
