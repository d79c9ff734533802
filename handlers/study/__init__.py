"""Study plans: lessons pushed on a schedule, read check-ins, quizzes, points, officers' reports."""

from __future__ import annotations

from telegram.ext import CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp
from handlers.registry import CommandEntry, MenuEntry, Registry
from handlers.study import member, officer, quiz, recover, reports, standing, upload
from handlers.study.common import (
    INTERVAL,
    KIND_UPLOAD,
    NUDGE_KIND,
    PUSH_KIND,
    officer_routes,
    push_check,
    release_job,
    routes,
)

# Importing each module declares its buttons on `routes` and `officer_routes`.
__all__ = ["member", "officer", "quiz", "recover", "register", "reports", "standing", "upload"]


def register(app: BotApp, registry: Registry) -> None:
    """Members' and officers' study buttons, /study, the upload dialog, the release job."""
    registry.job("study_release", release_job, INTERVAL, first=5)
    registry.recovery(recover.redraw_unsent)
    registry.delivery_check(PUSH_KIND, push_check)
    registry.delivery_check(NUDGE_KIND, push_check)
    routes.install(app)
    officer_routes.install(app)
    app.add_handler(
        CommandHandler("study", member.on_study_command, filters=filters.ChatType.PRIVATE)
    )
    registry.dialog(KIND_UPLOAD, upload.DIALOG)
    registry.add_menu(MenuEntry(N_("📚 Study"), routes.data("home"), "member", 40))
    registry.add_menu(MenuEntry(N_("📚 Study plans"), officer_routes.data("list"), "officer", 40))
    registry.add_command(
        CommandEntry("study", N_("Study plans, lessons and quizzes"), "member", 40)
    )
