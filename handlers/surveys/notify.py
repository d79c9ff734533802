"""Invitations and reminders: one payload in every language, handed to the delivery engine."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Sequence

from bot.delivery import Payload
from bot.i18n import N_, Translate
from bot.services import BotContext
from handlers.common import notify
from handlers.keyboards import button, keyboard
from handlers.surveys.common import OPEN, member_routes, until, zone
from handlers.surveys.screens import short
from storage import members
from storage.surveys import queries as store
from storage.surveys.queries import Survey

log = logging.getLogger(__name__)

INVITE = "survey_invite"
REMINDER = "survey_reminder"
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
    return Payload(
        text=texts, buttons=[[{"label": labels, "data": member_routes.data(OPEN, survey.id)}]]
    )


async def invite(
    context: BotContext,
    survey: Survey,
    member_ids: Sequence[int],
    *,
    description: str = "",
    created_by: int | None = None,
) -> int:
    """Tell every recipient a survey is open; returns how many were queued."""
    payload = _payload(context, survey, lambda _: _invite_text(_, survey, context, description))
    return await _enqueue(context, INVITE, survey, payload, member_ids, created_by)


async def remind(
    context: BotContext, survey: Survey, member_ids: Sequence[int], created_by: int | None = None
) -> int:
    """Remind non-respondents; the delivery check skips anyone who answers meanwhile."""
    payload = _payload(context, survey, lambda _: _reminder_text(_, survey, context))
    return await _enqueue(context, REMINDER, survey, payload, member_ids, created_by)


async def _enqueue(
    context: BotContext,
    kind: str,
    survey: Survey,
    payload: Payload,
    member_ids: Sequence[int],
    created_by: int | None,
) -> int:
    """The one place survey messages go out in bulk."""
    delivery = context.services.delivery
    if delivery is not None:
        await delivery.enqueue(
            kind=kind,
            payload=payload,
            member_ids=list(member_ids),
            due_at=context.clock.time(),
            created_by=created_by,
            ref=str(survey.id),
        )
        return len(member_ids)
    return await _send_directly(context, survey, payload, member_ids)


async def _send_directly(
    context: BotContext, survey: Survey, payload: Payload, member_ids: Sequence[int]
) -> int:
    """Without a running delivery engine (a one-off tool): send here, a few per second."""
    log.warning("delivery engine not running; sending survey %s messages directly", survey.id)
    pause = 1.0 / max(1.0, context.settings.delivery_rate)
    sent = 0
    for member_id in dict.fromkeys(member_ids):
        member = await members.by_id(context.db, member_id)
        if member is None or member.unreachable:
            continue
        if await store.has_completed(context.db, survey.id, member_id):
            continue
        locale = member.language
        text = payload.text
        body = text.get(locale) or next(iter(text.values())) if isinstance(text, dict) else text
        label = payload.buttons[0][0]["label"]
        markup = keyboard(
            [
                [
                    button(
                        label.get(locale) or next(iter(label.values())),
                        payload.buttons[0][0]["data"],
                    )
                ]
            ]
        )
        if await notify(context, member.chat_id, body, markup):
            sent += 1
        await asyncio.sleep(pause)
    return sent
