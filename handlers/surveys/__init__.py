"""Surveys: members answer one question per screen; officers build, publish and read results."""

from __future__ import annotations

from bot.services import BotApp
from handlers.registry import Registry
from handlers.surveys import member, officer, recover

__all__ = ["member", "officer", "recover", "register"]


def register(app: BotApp, registry: Registry) -> None:
    """Member answering, officer management, upload, builder and results."""
    registry.recovery(recover.redraw_unsent)
    member.register(app, registry)
    officer.register(app, registry)
