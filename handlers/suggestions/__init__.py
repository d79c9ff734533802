"""The suggestion box and hotline: writing, following, the officers' inbox, supervision."""

from __future__ import annotations

from bot.services import BotApp
from handlers.registry import Registry
from handlers.suggestions import inbox, mine, officer, supervision, write


def register(app: BotApp, registry: Registry) -> None:
    """Compose, my suggestions, the inbox, one item's screens and supervision."""
    for module in (write, mine, inbox, officer, supervision):
        module.register(app, registry)
