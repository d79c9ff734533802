"""Members' data rights (/mydata, /forget), the anonymous release and daily housekeeping."""

from __future__ import annotations

from telegram.ext import CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp
from handlers.privacy import forget, mydata, release, retention
from handlers.privacy.views import NS, VIEW, routes
from handlers.registry import CommandEntry, MenuEntry, Registry

# Importing each room declares its buttons on `routes`.
__all__ = ["NS", "forget", "mydata", "register", "release", "retention"]


def register(app: BotApp, registry: Registry) -> None:
    """/mydata, /forget, their buttons, the member-menu entry and the two jobs."""
    routes.install(app)
    registry.job("anonymous_release", release.release, release.INTERVAL, first=2)
    registry.job("housekeeping", retention.housekeeping, retention.INTERVAL, first=600)
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mydata", mydata.on_mydata, filters=private))
    app.add_handler(CommandHandler("forget", forget.on_forget, filters=private))
    registry.add_menu(MenuEntry(N_("🔒 My data"), routes.data(VIEW), "member", 95))
    registry.add_command(CommandEntry("mydata", N_("See and download your data"), "member", 8))
    registry.add_command(CommandEntry("forget", N_("Delete your data"), "member", 9))
