"""Admins browse the audit log in chat (paged, by kind of action) and export it to Excel."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import datetime, tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.exports import Cell, xlsx_bytes
from bot.i18n import N_, Translate, format_when
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, show, stale
from handlers.insight.audit_text import actor_name, details_text, target_text
from handlers.keyboards import button, cb, keyboard, paginate
from handlers.registry import MenuEntry, Registry
from handlers.routing import Action, Args, Routes, Word
from handlers.unit_picker import UnitTree
from storage import insight
from storage.insight import AuditRow, audit_log

NS = "al"
routes = Routes(NS, need="admin")
#: A page of the log, the family filter, the Excel export.
PAGE, FAMILIES_ACTION, EXPORT = "p", "f", "xp"
PER_PAGE = 8
ALL = "-"
Labels = Mapping[tuple[str, str], str]
#: Readable names of recorded actions; an action not listed shows its code.
ACTIONS: dict[str, str] = {
    "join_approve": N_("approved a join request"),
    "join_reject": N_("rejected a join request"),
    "unit_change_approve": N_("approved a unit change"),
    "unit_change_reject": N_("rejected a unit change"),
    "role_grant": N_("granted a role"),
    "role_revoke": N_("revoked a role"),
    "invite_create": N_("created an invite link"),
    "unit_create": N_("created a unit"),
    "unit_rename": N_("renamed a unit"),
    "unit_move": N_("moved a unit"),
    "unit_reply_deadline": N_("changed a reply deadline"),
    "suggestion_reply": N_("replied to a suggestion"),
    "suggestion_tk": N_("took a suggestion"),
    "suggestion_ax": N_("assigned a suggestion"),
    "suggestion_sx": N_("changed a suggestion's status"),
    "suggestion_cl": N_("closed a suggestion"),
    "suggestion_mx": N_("muted an anonymous author"),
    "suggestion_unmute": N_("lifted a mute"),
    "suggestion_reassign": N_("reassigned a suggestion"),
    "suggestion_withdraw": N_("a suggestion was withdrawn"),
    "suggestion_export": N_("exported suggestions"),
    "survey_upload": N_("uploaded a survey"),
    "survey_build": N_("built a survey"),
    "survey_publish": N_("published a survey"),
    "survey_schedule": N_("scheduled a survey"),
    "survey_close": N_("closed a survey"),
    "survey_remind": N_("reminded survey recipients"),
    "survey_delete": N_("deleted a survey draft"),
    "event_create": N_("created an event"),
    "event_cancel": N_("cancelled an event"),
    "event_add": N_("added a member to an event"),
    "event_remove": N_("removed a member from an event"),
    "event_time": N_("moved an event"),
    "event_place": N_("changed an event's place"),
    "announce_create": N_("sent or scheduled an announcement"),
    "announce_edit": N_("edited a scheduled announcement"),
    "announce_pause": N_("paused an announcement"),
    "announce_resume": N_("resumed an announcement"),
    "announce_cancel": N_("cancelled an announcement"),
    "announce_export": N_("exported who has not acknowledged"),
    "survey_audience": N_("chose a survey's audience"),
    "survey_unschedule": N_("took a survey back to draft"),
    "study_upload": N_("uploaded a study plan"),
    "study_add_lessons": N_("added lessons to a study plan"),
    "study_document": N_("attached a study document"),
    "study_go": N_("started a study plan"),
    "study_pause": N_("paused a study plan"),
    "study_resume": N_("resumed a study plan"),
    "study_endok": N_("ended a study plan"),
    "study_nudge": N_("reminded members to study"),
    "roster_import": N_("imported a roster"),
    "roster_export": N_("exported a members roster"),
    "roster_match": N_("roster placed a new member"),
    "audit_export": N_("exported the audit log"),
    "survey_export": N_("exported survey responses"),
    "event_export": N_("exported an event's attendance"),
    "study_export": N_("exported a study record"),
    "mydata_export": N_("downloaded their own data"),
    "member_forget": N_("a member deleted their data"),
    "task_create": N_("gave a task to units"),
    "task_repeat": N_("a repeating task came round again"),
    "task_receive": N_("marked a task received"),
    "task_report_submit": N_("submitted a task report"),
    "task_report_clear": N_("cleared a task report draft"),
    "task_accept": N_("accepted a task report"),
    "task_return": N_("returned a task report"),
    "task_remind": N_("reminded a unit of a task"),
    "task_export": N_("exported task reports"),
    "task_close": N_("ended a task"),
    "scorecard_upload": N_("uploaded a scorecard file"),
    "scorecard_apply": N_("put a scorecard file in force"),
    "scorecard_export": N_("exported unit scorecards"),
    "scorecard_digest": N_("sent the monthly scorecard notice"),
}
FAMILIES: dict[str, str] = {
    "join": N_("Join requests"),
    "unit": N_("Units"),
    "role": N_("Roles"),
    "invite": N_("Invite links"),
    "suggestion": N_("Suggestions"),
    "survey": N_("Surveys"),
    "event": N_("Events"),
    "study": N_("Study"),
    "announce": N_("Announcements"),
    "roster": N_("Roster"),
    "audit": N_("Audit log"),
    "member": N_("Members"),
    "mydata": N_("Members"),
    "task": N_("Tasks"),
    "scorecard": N_("Unit scorecards"),
}


def action_label(_: Translate, action: str) -> str:
    """The action in the reader's language, or its code."""
    return _(ACTIONS[action]) if action in ACTIONS else action


def _entry(
    _: Translate, caller: Caller, r: AuditRow, labels: Labels, tree: UnitTree, tz: tzinfo
) -> str:
    """One entry: when, who, what, about what, and its details in words."""
    line = _(
        "• {when} · <b>{actor}</b> {action}",
        when=format_when(r.at, caller.locale, tz),
        actor=actor_name(_, r),
        action=action_label(_, r.action),
    )
    target = target_text(_, r, labels)
    if target:
        line += " → " + html.escape(target, quote=False)
    details = details_text(_, r, tree, tz)
    if details:
        line += f"\n  <i>{html.escape(details, quote=False)}</i>"
    return line


def _page_markup(_: Translate, page: int, pages: int, family: str) -> InlineKeyboardMarkup:
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(button("◀", routes.data(PAGE, page - 1, family)))
    if page + 1 < pages:
        nav.append(button("▶", routes.data(PAGE, page + 1, family)))
    layout = [
        nav,
        [
            button(_("🔎 Kind of action"), routes.data(FAMILIES_ACTION)),
            button(_("📤 Export (Excel)"), routes.data(EXPORT, family)),
        ],
        [button(_("⬅ Back"), cb("m", "off"))],
    ]
    return keyboard(layout)


async def _page(
    update: Update, context: BotContext, caller: Caller, page: int, family: str
) -> None:
    _ = caller._
    db, tz = context.db, context.settings.tz
    action = None if family == ALL else family + "_"
    total_rows = (await insight.audit_page(db, offset=0, limit=0, action=action))[1]
    page, start, _end = paginate(total_rows, page, PER_PAGE)
    rows, total = await insight.audit_page(db, offset=start, limit=PER_PAGE, action=action)
    labels = await insight.target_labels(db, ((r.target_type, r.target_id) for r in rows))
    tree = await UnitTree.load(db)
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    head = _(
        "🧾 <b>Audit log</b> · page {page}/{pages} · {count} entries",
        page=page + 1,
        pages=pages,
        count=total,
    )
    if family != ALL:
        head += " · " + html.escape(_(FAMILIES.get(family, family)), quote=False)
    lines = [head, *(_entry(_, caller, r, labels, tree, tz) for r in rows)]
    if not rows:
        lines.append(_("Nothing recorded yet."))
    await show(update, context, "\n".join(lines), _page_markup(_, page, pages, family))


async def _families(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    layout = [[button(_("All actions"), routes.data(PAGE, 0, ALL))]]
    for family, count in (await insight.audit_families(context.db))[:20]:
        if len(family) > 20 or ":" in family:
            continue
        label = _(FAMILIES[family]) if family in FAMILIES else family
        layout.append([button(f"{label} ({count})", routes.data(PAGE, 0, family))])
    layout.append([button(_("⬅ Back"), routes.data(PAGE, 0, ALL))])
    await show(update, context, _("🔎 Show which kind of action?"), keyboard(layout))


async def _export(update: Update, context: BotContext, caller: Caller, family: str) -> None:
    """Send the whole log (or one kind) as Excel; the export itself is audited."""
    _ = caller._
    db, tz = context.db, context.settings.tz
    await answer(update, _("Preparing the file…"))
    now = context.clock.time()
    rows = await audit_log.export(db, caller.member.id, None if family == ALL else family, now)
    labels = await insight.target_labels(db, ((r.target_type, r.target_id) for r in rows))
    out: list[list[Cell]] = [
        [
            datetime.fromtimestamp(r.at, tz).replace(tzinfo=None),
            actor_name(_, r),
            action_label(_, r.action),
            r.action,
            r.target_type,
            r.target_id,
            target_text(_, r, labels) or None,
            json.dumps(r.details, ensure_ascii=False) if r.details else None,
        ]
        for r in rows
    ]
    headers = [
        _("Time"),
        _("Who"),
        _("Action"),
        _("Action code"),
        _("Target type"),
        _("Target id"),
        _("Target"),
        _("Details"),
    ]
    data = xlsx_bytes(out, headers, sheet=_("Audit log"), widths=[18, 16, 28, 22, 12, 10, 30, 50])
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(data, filename="audit-log.xlsx"),
        caption=_("🧾 Audit log: {count} entries.", count=len(out)),
    )


async def page(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """One page of the log, of every kind of action or one family."""
    family = args.word(1) if len(args) > 1 else ALL
    if not family:
        await stale(update, caller)
    else:
        await _page(update, context, caller, args.num(0), family)
    return None


async def families(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The kinds of action to filter by."""
    await _families(update, context, caller)
    return None


async def export(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the log (or one family) as Excel; the export itself is audited."""
    family = args.word(0) if args else ALL
    if not family:
        await stale(update, caller)
    else:
        await _export(update, context, caller, family)
    return None


_FAMILY = Word(max_len=20)
routes.add(Action(PAGE, page, "admin", (int, _FAMILY), optional=1))
routes.add(Action(FAMILIES_ACTION, families, "admin", ()))
routes.add(Action(EXPORT, export, "admin", (_FAMILY,), optional=1))


def register(app: BotApp, registry: Registry) -> None:
    """Add the audit log buttons and the admin-menu entry."""
    routes.install(app)
    registry.add_menu(MenuEntry(N_("🧾 Audit log"), routes.data(PAGE, 0, ALL), "admin", 50))
