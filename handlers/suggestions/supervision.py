"""Supervision of the suggestion box: digest and escalation job, figures, export, mutes, deadlines.

The job runs every minute but only acts on rows whose time has come: anonymous
items are announced at the configured digest times (never the minute they
arrive), and an item unanswered past its unit's deadline goes to the parent
unit's officers once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import InlineKeyboardButton, InputFile, Update

from bot.exports import xlsx_bytes
from bot.i18n import N_, format_day
from bot.services import BotApp, BotContext
from handlers.common import Caller, notify, show
from handlers.common import translator_for as _for
from handlers.keyboards import button, keyboard
from handlers.lookup import on_item
from handlers.registry import Registry
from handlers.routing import STALE, Action, Args, Routes
from handlers.screen_action import draws
from handlers.suggestions.inbox import inbox_data
from handlers.suggestions.views import (
    SUPERVISION_NS,
    category_label,
    open_button,
    status_label,
    title,
)
from handlers.unit_picker import UnitTree
from storage import members, roles, sealing, suggestions, units
from storage.suggestions import Suggestion, commands
from storage.suggestions import reports as suggestion_reports
from storage.units import Unit

log = logging.getLogger(__name__)

NS = SUPERVISION_NS
DEADLINE_CHOICES = (3, 5, 7, 10, 14, 30)
INBOX = inbox_data()
FORBIDDEN = N_("Sorry, you are not allowed to do that.")


# --- the job ------------------------------------------------------------------------------


async def sweep(context: BotContext) -> None:
    """Announce released anonymous items, escalate overdue ones, forget old daily counts."""
    db, now, settings = context.db, context.clock.time(), context.settings
    released, answered, overdue = await commands.sweep(db, now, settings.tz)
    if released or answered:
        await _digest(context, released, answered)
    for s in overdue:
        await _escalate(context, s)
    if released or answered or overdue:
        log.info(
            "suggestion digest: %s new, %s with answers; %s escalated",
            len(released),
            len(answered),
            len(overdue),
        )


async def _digest(
    context: BotContext, released: list[Suggestion], answered: list[Suggestion]
) -> None:
    """One message per officer listing what the digest releases (day only, no times)."""
    db = context.db
    tree = await UnitTree.load(db)
    per_officer: dict[int, tuple[list[Suggestion], list[Suggestion]]] = {}
    for s in released:
        for officer_id in await roles.officers_for_unit(db, s.unit_id):
            per_officer.setdefault(officer_id, ([], []))[0].append(s)
    for s in answered:
        targets = [s.owner_id] if s.owner_id else await roles.officers_for_unit(db, s.unit_id)
        for officer_id in targets:
            per_officer.setdefault(officer_id, ([], []))[1].append(s)
    for officer_id, (new, back) in per_officer.items():
        officer = await members.by_id(db, officer_id)
        if officer is None or officer.unreachable:
            continue
        _ = _for(context, officer)
        day = format_day(context.clock.time(), officer.language, context.settings.tz)
        lines = [_("📥 <b>Suggestion box</b> · {day}", day=day)]
        if new:
            lines.append(_("New anonymous items: {count}", count=len(new)))
            lines += [f"• {title(_, s)} · {tree.path(s.unit_id)}" for s in new[:20]]
        if back:
            lines.append(_("Anonymous authors wrote back: {count}", count=len(back)))
            lines += [f"• {title(_, s)}" for s in back[:20]]
        await notify(
            context,
            officer.chat_id,
            "\n".join(lines),
            keyboard([[button(_("📥 Open the inbox"), INBOX)]]),
        )


async def _escalate(context: BotContext, s: Suggestion) -> None:
    """Tell the parent unit's officers (admins at the top) about an overdue item."""
    db = context.db
    unit = await units.get(db, s.unit_id)
    targets = (
        await roles.officers_for_unit(db, unit.parent_id)
        if unit and unit.parent_id
        else await roles.admins(db)
    )
    tree = await UnitTree.load(db)
    for officer in await members.reachable(db, targets):
        _ = _for(context, officer)
        due = format_day(s.due_at - 1, officer.language, context.settings.tz)
        text = _(
            "⏰ <b>Overdue</b>: {ref} ({category}) in {unit} was due on {day} "
            "and has no answer yet. Please follow up.",
            ref=s.ref,
            category=category_label(_, s.category),
            unit=tree.path(s.unit_id),
            day=due,
        )
        await notify(context, officer.chat_id, text, open_button(_, s))


# --- figures, export, mutes, deadlines ----------------------------------------------------


async def _dashboard(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    scope = await roles.scope_unit_ids(context.db, caller.member.id)
    d = await suggestion_reports.dashboard(context.db, scope, context.clock.time())
    lines = [_("📊 <b>Suggestions in your units</b>")]
    lines.append(
        " · ".join(
            f"{status_label(_, st)}: {d.by_status.get(st, 0)}" for st in suggestions.STATUSES
        )
    )
    lines.append(_("⏰ Overdue: {count}", count=d.overdue))
    if d.average is None:
        lines.append(_("⭐ No ratings yet."))
    else:
        lines.append(
            _(
                "⭐ Average rating: {average} ({count} ratings)",
                average=format(d.average, ".1f"),
                count=d.ratings,
            )
        )
        lines.append(_("By officer:"))
        lines += [f"• {name or '?'}: {avg:.1f} ({n})" for _id, name, n, avg in d.per_owner[:20]]
    await show(update, context, "\n".join(lines), keyboard([[button(_("⬅ Inbox"), INBOX)]]))


def _stamp(moment: float | None, context: BotContext, day_only: bool = False) -> str:
    if moment is None:
        return ""
    local = datetime.fromtimestamp(moment, context.settings.tz)
    return local.strftime("%Y-%m-%d" if day_only else "%Y-%m-%d %H:%M")


async def _export(update: Update, context: BotContext, caller: Caller) -> None:
    """Send an Excel file of the officer's units; anonymous rows have an empty author cell."""
    _ = caller._
    db = context.db
    rows = await commands.export(db, caller.member.id, context.clock.time())
    tree = await UnitTree.load(db)
    headers = [
        _("Reference"),
        _("Category"),
        _("Unit"),
        _("Status"),
        _("Anonymous"),
        _("Author"),
        _("Sent"),
        _("Due"),
        _("First answer"),
        _("Closed"),
        _("Owner"),
        _("Rating"),
        _("Comment"),
        _("Text"),
    ]
    table = [
        [
            r.ref,
            category_label(_, r.category),
            tree.path(r.unit_id),
            status_label(_, r.status),
            _("yes") if r.anonymous else _("no"),
            "" if r.anonymous else (r.author or ""),
            _stamp(r.created_at, context, r.anonymous),
            _stamp(r.due_at - 1, context, True),
            _stamp(r.first_reply_at, context),
            _stamp(r.closed_at, context),
            r.owner or "",
            r.stars or "",
            r.comment,
            r.body,
        ]
        for r in rows
    ]
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(xlsx_bytes(table, headers, sheet="suggestions"), filename="suggestions.xlsx"),
        caption=_("📤 {count} suggestions.", count=len(rows)),
    )


async def _mutes(update: Update, context: BotContext, caller: Caller, note: str = "") -> None:
    _ = caller._
    scope = await roles.scope_unit_ids(context.db, caller.member.id)
    listed = await sealing.mutes_for_units(context.db, scope)
    layout = [
        [button(_("🔈 Lift the mute from {ref}", ref=ref), routes.data("um", m.id))]
        for m, ref in listed[:30]
    ]
    layout.append([button(_("⬅ Inbox"), INBOX)])
    text = _(
        "🔇 <b>Muted authors</b>\nEach is shown by the item they were muted from: {count}.",
        count=len(listed),
    )
    await show(update, context, f"{note}\n{text}" if note else text, keyboard(layout))


async def _deadlines(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    scope = set(await roles.scope_unit_ids(context.db, caller.member.id))
    tree = await UnitTree.load(context.db)
    layout: list[list[InlineKeyboardButton]] = [
        [
            button(
                "　" * min(depth, 3)
                + _("{unit}: {days} days", unit=u.name, days=u.reply_deadline_days),
                routes.data("dlu", u.id),
            )
        ]
        for depth, u in tree.outline(40)
        if u.id in scope
    ]
    layout.append([button(_("⬅ Inbox"), INBOX)])
    await show(
        update,
        context,
        _("⏱ <b>Reply deadlines</b>\nHow many days officers have to answer a new item."),
        keyboard(layout),
    )


#: Figures, export, mutes and deadlines; officer scope checked on every press.
routes = Routes(NS, need="officer")


async def on_unmute(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Lift a mute (audited)."""
    _ = caller._
    db, mute_id = context.db, args.num(0)
    found = await sealing.get_mute(db, mute_id)
    via_id = found.via_suggestion_id if found is not None else None
    via = await suggestions.get(db, via_id) if via_id else None
    if via is None:
        return _(STALE)
    if not await roles.can_manage(db, caller.member.id, via.unit_id):
        return _(FORBIDDEN)
    # Lifted by someone else a moment ago is the same result: the list shows it gone.
    await commands.unmute(db, caller.member.id, mute_id, via, context.clock.time())
    await _mutes(update, context, caller, _("🔈 The mute was lifted."))
    return None


async def _unit(context: BotContext, caller: Caller, unit_id: int) -> Unit | str:
    """The unit when the caller may set its deadline; else the alert."""
    unit = await units.get(context.db, unit_id)
    if unit is None:
        return caller._(STALE)
    if not await roles.can_manage(context.db, caller.member.id, unit.id):
        return caller._(FORBIDDEN)
    return unit


_on_unit = on_item(_unit)


@_on_unit
async def on_deadline(
    update: Update, context: BotContext, caller: Caller, args: Args, unit: Unit
) -> str | None:
    """The deadline choices for one unit."""
    _ = caller._
    layout = [
        [_days_button(caller, unit.id, d) for d in DEADLINE_CHOICES[:3]],
        [_days_button(caller, unit.id, d) for d in DEADLINE_CHOICES[3:]],
        [button(_("⬅ Back"), routes.data("dl"))],
    ]
    text = _(
        "⏱ Reply deadline for {unit} (now {days} days):",
        unit=unit.name,
        days=unit.reply_deadline_days,
    )
    await show(update, context, text, keyboard(layout))
    return None


def _days_button(caller: Caller, unit_id: int, days: int) -> InlineKeyboardButton:
    """One deadline choice."""
    label = caller._.ngettext("{days} day", "{days} days", days, days=days)
    return button(label, routes.data("dls", unit_id, days))


@_on_unit
async def on_set_deadline(
    update: Update, context: BotContext, caller: Caller, args: Args, unit: Unit
) -> str | None:
    """Set the unit's deadline (audited)."""
    if args.num(1) not in DEADLINE_CHOICES:
        return caller._(STALE)
    now = context.clock.time()
    if not await commands.set_deadline(context.db, caller.member.id, unit.id, args.num(1), now):
        return caller._(FORBIDDEN)
    await _deadlines(update, context, caller)
    return None


def register(app: BotApp, registry: Registry) -> None:
    """Add the supervision buttons (reached from the inbox)."""
    registry.job("suggestions_sweep", sweep, 60, first=30)
    routes.install(app)


routes.add(Action("dash", draws(_dashboard), "officer", ()))
routes.add(Action("exp", draws(_export), "officer", (), early=True))
routes.add(Action("mutes", draws(_mutes), "officer", ()))
routes.add(Action("dl", draws(_deadlines), "officer", ()))
routes.add(Action("um", on_unmute, "officer", (int,)))
routes.add(Action("dlu", on_deadline, "officer", (int,)))
routes.add(Action("dls", on_set_deadline, "officer", (int, int)))
