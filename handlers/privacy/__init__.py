"""Members' data rights (/mydata, /forget), the anonymous release and daily housekeeping."""

from __future__ import annotations

from bot.services import BotApp
from handlers.privacy import mydata
from handlers.registry import Registry


def register(app: BotApp, registry: Registry) -> None:
    """/mydata, /forget, their buttons, the member-menu entry and the two daily jobs."""
    mydata.register(app, registry)
