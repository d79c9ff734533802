"""Member screens: the list of their open surveys and a survey's start screen."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, Translate
from bot.services import BotContext
from handlers.common import Caller, show
from handlers.keyboards import button, keyboard
from handlers.menu import HOME
from handlers.surveys.common import (
    GO,
    LIST,
    NS,
    NS_PREVIEW,
    OPEN,
    answering_routes,
    definition_of,
    member_routes,
    officer_routes,
    sealer_for,
    until,
    zone,
)
from handlers.surveys.screens import short
from storage.surveys import progress as sessions
from storage.surveys import queries as store
from storage.surveys.queries import Survey

_STATUS = {"new": N_("🆕 Not started"), "progress": N_("✏️ In progress"), "done": N_("✅ Done")}
_ICON = {"new": "🆕", "progress": "✏️", "done": "✅"}
LIST_MAX = 30


async def show_list(update: Update, context: BotContext, caller: Caller) -> None:
    """The member's open surveys, soonest deadline first, marked new / in progress / done."""
    _ = caller._
    tz = zone(context)
    listed = await store.open_for_member(context.db, caller.member.id, context.clock.time())
    lines = [_("📋 <b>Surveys</b>")]
    layout: list[list[InlineKeyboardButton]] = []
    if not listed:
        lines.append(_("There are no open surveys for you right now."))
    for item in listed[:LIST_MAX]:
        s = item.survey
        deadline = (
            _("until {when}", when=until(_, s.closes_at, tz))
            if s.closes_at is not None
            else _("no deadline")
        )
        lines.append(
            _(
                "{status} · <b>{title}</b> · {deadline}",
                status=_(_STATUS[item.status]),
                title=s.title,
                deadline=deadline,
            )
        )
        layout.append(
            [button(f"{_ICON[item.status]} {short(s.title, 40)}", member_routes.data(OPEN, s.id))]
        )
    layout.append([button(_("🏠 Main menu"), HOME)])
    await show(update, context, "\n".join(lines), keyboard(layout))


def _anonymity_note(_: Translate, survey: Survey, threshold: int) -> str:
    if survey.anonymous:
        return _(
            "🔒 <b>This survey is anonymous.</b> Your answers are stored without your name, "
            "your exact unit or the time you answered; only the day is kept. We note separately "
            "that you took part, so you are not reminded again, but that note cannot be matched "
            "to your answers. Officers only see results once at least {threshold} people "
            "have answered.",
            threshold=threshold,
        )
    return _(
        "👤 This survey is not anonymous: your name is stored with your answers, and the "
        "officers of your unit can see them."
    )


async def show_intro(
    update: Update, context: BotContext, caller: Caller, survey: Survey, *, preview: bool = False
) -> None:
    """A survey's start screen: what it is, the deadline, anonymity, and Start/Continue."""
    _ = caller._
    db, tz = context.db, zone(context)
    definition = definition_of(survey)
    ns = NS_PREVIEW if preview else NS
    lines = [_("📋 <b>{title}</b>", title=survey.title)]
    if preview:
        lines.append(_("👁 Preview: answers are not stored."))
    if definition.description:
        lines.append(html.escape(definition.description, quote=False))
    lines.append("")
    lines.append(_("Questions: up to {count}", count=len(definition.placed)))
    if survey.closes_at is not None:
        lines.append(_("🗓 Answer by {when}", when=until(_, survey.closes_at, tz)))
    lines.append("")
    lines.append(_anonymity_note(_, survey, context.settings.anonymity_threshold))
    session = await sessions.load(
        db, survey.id, caller.member.id, preview=preview, sealer=sealer_for(context, survey)
    )
    done = not preview and await store.has_completed(db, survey.id, caller.member.id)
    layout: list[list[InlineKeyboardButton]] = []
    if done:
        lines += ["", _("✅ You have submitted this survey. Thank you!")]
        editable = survey.allow_edit and not survey.anonymous
        if editable and session is None:
            layout.append(
                [button(_("✏️ Change my answers"), answering_routes(ns).data(GO, survey.id))]
            )
    if session is not None:
        answered = len(session.progress.get("answers") or {})
        lines += ["", _("You have answered {count} so far.", count=answered)]
        layout.append([button(_("▶️ Continue"), answering_routes(ns).data(GO, survey.id))])
    elif not done:
        layout.append([button(_("▶️ Start"), answering_routes(ns).data(GO, survey.id))])
    if preview:
        layout.append([button(_("⬅ Back to the survey"), officer_routes.data(OPEN, survey.id))])
    else:
        layout.append(
            [button(_("⬅ Surveys"), member_routes.data(LIST)), button(_("🏠 Main menu"), HOME)]
        )
    await show(update, context, "\n".join(lines), keyboard(layout))
