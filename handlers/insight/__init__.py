"""Insight for officers: the dashboard, the weekly digest and the audit log."""

from __future__ import annotations

from bot.services import BotApp
from handlers.insight import audit_log, dashboard, digest
from handlers.registry import Registry

__all__ = ["audit_log", "dashboard", "digest", "register"]


def register(app: BotApp, registry: Registry) -> None:
    """The dashboard and audit-log buttons, the digest job and the menu entries."""
    registry.job("digest", digest.tick, digest.INTERVAL, first=300)
    dashboard.register(app, registry)
    audit_log.register(app, registry)
