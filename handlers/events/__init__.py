"""Events: sign-ups with waitlists, reminders, check-in, feedback and the officers' tools."""

from __future__ import annotations

from bot.services import BotApp
from handlers.events import checkin, edit, feedback, jobs, member, officer, outbox, wizard
from handlers.registry import Registry


def register(app: BotApp, registry: Registry) -> None:
    """Event buttons, dialogs, commands, menu entries, the dispatcher job, delivery checks."""
    registry.job("events_tick", jobs.tick, jobs.INTERVAL)
    for kind, check in outbox.checks().items():
        registry.delivery_check(kind, check)
    for room in (member, checkin, feedback, wizard, officer, edit):
        room.register(app, registry)
