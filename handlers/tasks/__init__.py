"""Work supervision (督办): tasks handed down the unit tree, reports back up, reminders."""

from __future__ import annotations

from bot.i18n import N_
from bot.services import BotApp
from handlers.keyboards import cb
from handlers.registry import MenuEntry, Registry
from handlers.tasks import (
    create,
    evaluation,
    export,
    review,
    scorecard_upload,
    unit,
    upload,
)
from handlers.tasks.notify import INTERVAL, still_owing, sweep
from handlers.tasks.views import KIND_NEW, KIND_REPORT, KIND_RETURN, NS, routes
from storage.tasks.commands import KIND_NOTICE

# Importing each module declares its buttons on `routes`; these are the feature's rooms.
__all__ = [
    "INTERVAL", "NS", "create", "evaluation", "export", "register", "review",
    "scorecard_upload", "sweep", "unit", "upload",
]  # fmt: skip


def register(app: BotApp, registry: Registry) -> None:
    """The task buttons, the three dialogs and the officer menu entry."""
    routes.install(app)
    registry.job("tasks_sweep", sweep, INTERVAL, first=20)
    registry.delivery_check(KIND_NOTICE, still_owing)
    registry.dialog(KIND_NEW, create.DIALOG)
    registry.dialog(KIND_REPORT, unit.DIALOG)
    registry.dialog(KIND_RETURN, review.DIALOG)
    registry.dialog(scorecard_upload.KIND, scorecard_upload.DIALOG)
    registry.dialog(upload.KIND, upload.DIALOG)
    registry.add_menu(MenuEntry(N_("📌 Tasks"), cb(NS, "home"), "officer", 25))
    registry.add_menu(MenuEntry(N_("🏅 Unit scorecards"), cb(NS, "ev"), "officer", 26))
