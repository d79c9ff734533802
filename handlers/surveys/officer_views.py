"""Officer screens: the list of surveys they may see, and one survey with what can be done."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, join_list
from bot.services import BotContext
from handlers.common import Caller, show
from handlers.keyboards import button, keyboard
from handlers.menu import OFFICER
from handlers.surveys.common import (
    LIST,
    OPEN,
    WITHHELD,
    builder_routes,
    can_manage,
    can_view,
    definition_of,
    officer_routes,
    participation,
    participation_line,
    preview_routes,
    until,
    when,
    zone,
)
from handlers.surveys.screens import short
from handlers.unit_picker import UnitTree
from storage.surveys import queries as store
from storage.surveys.queries import Survey

routes = officer_routes
#: Officer buttons (svo:…); the short names are in officers' chats already.
UPLOAD, EXAMPLES, RESULTS, CHARTS, EXCEL = "up", "ex", "res", "chart", "xlsx"
AUDIENCE, BROWSE, CHOOSE, PUBLISH, SCHEDULE, UNSCHEDULE = "aud", "ub", "uc", "pub", "sch", "uns"
DELETE, DELETE_OK, REMIND, REMIND_OK = "del", "delok", "rem", "remok"
CLOSE, CLOSE_OK = "cls", "clsok"
YAML = "yaml"
_STATE = {
    "draft": N_("📝 Draft"),
    "scheduled": N_("⏰ Scheduled"),
    "open": N_("🟢 Open"),
    "closed": N_("🔒 Closed"),
}
LIST_MAX = 30


async def show_list(update: Update, context: BotContext, caller: Caller) -> None:
    """Surveys the officer manages or may read results of, newest first."""
    _ = caller._
    layout: list[list[InlineKeyboardButton]] = []
    shown = 0
    for survey in await store.all_surveys(context.db):
        if shown >= LIST_MAX or not await can_view(context.db, caller, survey):
            continue
        shown += 1
        icon = _(_STATE[survey.state]).split(" ")[0]
        layout.append([button(f"{icon} {short(survey.title, 40)}", routes.data(OPEN, survey.id))])
    text = _("📋 <b>Surveys</b>\nUpload a YAML file or build a simple survey in chat.")
    if not shown:
        text += "\n" + _("No surveys yet.")
    layout.append([button(_("⬆️ Upload a YAML file"), routes.data(UPLOAD))])
    layout.append([button(_("🧱 Build a simple survey"), builder_routes.data("new"))])
    layout.append([button(_("📄 Example files"), routes.data(EXAMPLES))])
    layout.append([button(_("⬅ Back"), OFFICER)])
    await show(update, context, text, keyboard(layout))


async def show_survey(
    update: Update, context: BotContext, caller: Caller, survey: Survey, note: str = ""
) -> None:
    """One survey: state, audience, dates, participation, and what may be done next."""
    _ = caller._
    db, tz, now = context.db, zone(context), context.clock.time()
    definition = definition_of(survey)
    tree = await UnitTree.load(db)
    manage = await can_manage(db, caller, survey)
    lines = [note] if note else []
    lines.append(_("📋 <b>{title}</b>", title=survey.title))
    state = _(_STATE[survey.state])
    if survey.state == "scheduled" and survey.publish_at is not None:
        state = _("⏰ Publishes on {when}", when=when(_, survey.publish_at, tz))
    elif survey.state == "closed" and survey.closed_at is not None:
        state = _("🔒 Closed on {when}", when=when(_, survey.closed_at, tz))
    lines.append(state)
    audience = [tree.path(u) for u in await store.audience(db, survey.id) if u in tree.by_id]
    units = join_list(audience, _.locale) or _("not chosen yet")
    lines.append(_("🎯 Audience: {units}", units=units))
    lines.append(
        _("🔒 Anonymous") if survey.anonymous else _("👤 Named: answers show who gave them")
    )
    lines.append(_("Questions: up to {count}", count=len(definition.placed)))
    if survey.opens_at is not None:
        lines.append(_("Opens: {when}", when=when(_, survey.opens_at, tz)))
    if survey.closes_at is not None:
        lines.append(_("Closes: {when}", when=until(_, survey.closes_at, tz)))
    if survey.state in ("open", "closed"):
        part = await participation(db, caller, survey.id, context.settings.anonymity_threshold)
        if part.asked or not part.withheld:
            lines.append(participation_line(_, part.asked, part.answered))
        if part.withheld:
            lines.append(_(WITHHELD))
        lines.append(
            _(
                "Reminders sent: {sent} of {most}",
                sent=survey.reminders_sent,
                most=context.settings.survey_reminder_max,
            )
        )
    layout: list[list[InlineKeyboardButton]] = []
    sid = survey.id
    if manage and survey.state in ("draft", "scheduled"):
        layout.append([button(_("👁 Preview"), preview_routes.data(OPEN, sid))])
    if manage and survey.state == "draft":
        layout.append([button(_("🎯 Choose the audience"), routes.data(AUDIENCE, sid))])
        later = survey.opens_at is not None and survey.opens_at > now
        label = (
            _("🚀 Publish on {when}", when=when(_, survey.opens_at or now, tz))
            if later
            else _("🚀 Publish now")
        )
        layout.append([button(label, routes.data(PUBLISH, sid))])
        layout.append([button(_("⏰ Publish at a time…"), routes.data(SCHEDULE, sid))])
        layout.append([button(_("🗑 Delete the draft"), routes.data(DELETE, sid))])
    if manage and survey.state == "scheduled":
        layout.append([button(_("↩ Cancel the schedule"), routes.data(UNSCHEDULE, sid))])
    if survey.state in ("open", "closed"):
        layout.append(
            [
                button(_("📊 Results"), routes.data(RESULTS, sid)),
                button(_("📈 Charts"), routes.data(CHARTS, sid)),
                button(_("📥 Excel"), routes.data(EXCEL, sid)),
            ]
        )
    if manage and survey.state == "open":
        remind = _("🔔 Remind those who have not answered")
        layout.append([button(remind, routes.data(REMIND, sid))])
        layout.append([button(_("🔒 Close now"), routes.data(CLOSE, sid))])
    if manage:
        layout.append([button(_("📄 Download as YAML"), routes.data(YAML, sid))])
    layout.append([button(_("⬅ Surveys"), routes.data(LIST))])
    await show(update, context, "\n".join(lines), keyboard(layout))
