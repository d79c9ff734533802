"""Study plans: lessons pushed on a schedule, read check-ins, quizzes, points, officers' reports."""

from __future__ import annotations

from bot.services import BotApp
from handlers.registry import Registry
from handlers.study import member, officer, upload


def register(app: BotApp, registry: Registry) -> None:
    """Members' and officers' study buttons, /study, the upload dialog, the release job."""
    member.register(app, registry)
    officer.register(app, registry)
    upload.register(app, registry)
