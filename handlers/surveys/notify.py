"""Invitations and reminders: one payload in every language, queued in the outbox."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from bot.delivery import Payload
from bot.i18n import N_, Translate
from bot.services import BotContext
from handlers.surveys.common import OPEN, member_routes, until, zone
from handlers.surveys.screens import short
from storage.surveys.queries import Survey

log = logging.getLogger(__name__)

START = N_("📝 Start")


def _invite_text(_: Translate, survey: Survey, context: BotContext, description: str) -> str:
    lines = [_("📋 <b>New survey: {title}</b>", title=survey.title)]
    if description:
        lines.append(html.escape(short(description, 300), quote=False))
    if survey.closes_at is not None:
        lines.append(_("Please answer by {when}.", when=until(_, survey.closes_at, zone(context))))
    if survey.anonymous:
        lines.append(_("🔒 Anonymous: your answers are not linked to you."))
    return "\n".join(lines)


def _reminder_text(_: Translate, survey: Survey, context: BotContext) -> str:
    if survey.closes_at is None:
        return _("⏰ <b>Reminder:</b> you have not answered “{title}” yet.", title=survey.title)
    return _(
        "⏰ <b>Reminder:</b> you have not answered “{title}” yet. It closes on {when}.",
        title=survey.title,
        when=until(_, survey.closes_at, zone(context)),
    )


def _payload(context: BotContext, survey: Survey, render: Callable[[Translate], str]) -> Payload:
    i18n = context.services.i18n
    texts = {locale: render(i18n.bind(locale)) for locale in i18n.locales()}
    labels = {locale: i18n.bind(locale)(START) for locale in i18n.locales()}
    payload = Payload(
        text=texts, buttons=[[{"label": labels, "data": member_routes.data(OPEN, survey.id)}]]
    )
    payload.check()  # refused here, before the survey changes, rather than at sending
    return payload


def invitation(context: BotContext, survey: Survey, description: str) -> str:
    """The invitation to a survey, in every language, as outbox payload JSON."""
    payload = _payload(context, survey, lambda _: _invite_text(_, survey, context, description))
    return payload.to_json()


def reminder(context: BotContext, survey: Survey) -> str:
    """The reminder to those who have not answered, as outbox payload JSON."""
    return _payload(context, survey, lambda _: _reminder_text(_, survey, context)).to_json()


async def wake(context: BotContext) -> None:
    """Let the delivery engine pick up what was just queued without waiting for its timer."""
    if context.services.delivery is not None:
        await context.services.delivery.wake()
