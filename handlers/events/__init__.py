"""Events: sign-ups with waitlists, reminders, check-in, feedback and the officers' tools."""

from __future__ import annotations

from telegram.ext import CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp
from handlers.events import checkin, edit, feedback, jobs, member, officer, outbox, recover, wizard
from handlers.events.views import (
    checkin_routes,
    edit_routes,
    feedback_routes,
    member_routes,
    officer_routes,
    wizard_routes,
)
from handlers.registry import CommandEntry, MenuEntry, Registry

# Importing each room declares its buttons on the route tables above.
__all__ = ["checkin", "edit", "feedback", "member", "officer", "register", "wizard"]


def register(app: BotApp, registry: Registry) -> None:
    """Event buttons, dialogs, commands, menu entries, the dispatcher job, delivery checks."""
    registry.recovery(recover.redraw_unsent)
    for routes in (
        member_routes, checkin_routes, feedback_routes, wizard_routes, officer_routes, edit_routes
    ):  # fmt: skip
        routes.install(app)
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("events", member.on_events_command, filters=private))
    app.add_handler(CommandHandler("checkin", checkin.on_checkin_command, filters=private))
    registry.dialog(checkin.KIND, checkin.DIALOG)
    registry.dialog(feedback.KIND, feedback.DIALOG)
    registry.dialog(wizard.KIND, wizard.DIALOG)
    registry.dialog(edit.KIND, edit.DIALOG)
    registry.add_menu(MenuEntry(N_("📅 Events"), member_routes.data("list"), "member", 30))
    registry.add_menu(MenuEntry(N_("📅 Events"), officer_routes.data("list"), "officer", 30))
    registry.add_command(CommandEntry("events", N_("Upcoming events and sign-up"), "member", 20))
    registry.add_command(CommandEntry("checkin", N_("Check in at an event"), "member", 21))
    registry.job("events_tick", jobs.tick, jobs.INTERVAL)
    for kind, check in outbox.checks().items():
        registry.delivery_check(kind, check)
