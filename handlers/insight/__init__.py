"""Insight for officers: the dashboard, the weekly digest and the audit log."""

from __future__ import annotations

from bot.services import BotApp
from handlers.insight import audit_log, dashboard
from handlers.registry import Registry


def register(app: BotApp, registry: Registry) -> None:
    """The dashboard and audit-log buttons, the digest job and the officer menu entries."""
    dashboard.register(app, registry)
    audit_log.register(app, registry)
