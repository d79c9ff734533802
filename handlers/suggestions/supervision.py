"""Supervision of the suggestion box: digest and escalation job, figures, export, mutes, deadlines.

The job runs every minute but only acts on rows whose time has come: anonymous
items are announced at the configured digest times (never the minute they
arrive), and an item unanswered past its unit's deadline goes to the parent
unit's officers once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import CallbackQueryHandler

from bot.exports import xlsx_bytes
from bot.i18n import format_day
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, decode, get_caller, notify, refuse, show, stale
from handlers.common import translator_for as _for
from handlers.keyboards import button, cb, keyboard
from handlers.registry import Registry
from handlers.suggestions.inbox import inbox_data
from handlers.suggestions.views import (
    SUPERVISION_NS,
    category_label,
    open_button,
    status_label,
    title,
)
from handlers.unit_picker import UnitTree
from storage import audit, members, roles, sealing, suggestions, units
from storage.suggestions import Suggestion, lifecycle
from storage.suggestions import reports as suggestion_reports

log = logging.getLogger(__name__)

NS = SUPERVISION_NS
DEADLINE_CHOICES = (3, 5, 7, 10, 14, 30)
INBOX = inbox_data()


# --- the job ------------------------------------------------------------------------------


async def sweep(context: BotContext) -> None:
    """Announce released anonymous items, escalate overdue ones, forget old daily counts."""
    db, now, settings = context.db, context.clock.time(), context.settings
    async with db.transaction() as tx:
        released = await lifecycle.claim_released(tx, now)
        answered = await lifecycle.claim_author_messages(tx, now)
        overdue = await lifecycle.claim_overdue(tx, now)
        yesterday = suggestions.local_date(now, settings.tz) - timedelta(days=1)
        await sealing.prune_quota(tx, yesterday.isoformat())
        await sealing.prune_anon_quota(tx, yesterday.isoformat())
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
    for officer_id in targets:
        officer = await members.by_id(db, officer_id)
        if officer is None or officer.unreachable:
            continue
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
    scope = await roles.scope_unit_ids(db, caller.member.id)
    rows = await suggestion_reports.export_rows(db, scope, context.clock.time())
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
    await audit.record(
        db, caller.member.id, "suggestion_export", context.clock.time(), details={"rows": len(rows)}
    )
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
        [button(_("🔈 Lift the mute from {ref}", ref=ref), cb(NS, "um", m.id))]
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
                cb(NS, "dlu", u.id),
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


async def on_button(update: Update, context: BotContext) -> None:
    """Figures, export, mutes and deadlines; officer scope checked on every press."""
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    _ = caller._
    if data is None or not caller.is_officer:
        await refuse(update, caller)
        return
    db, now = context.db, context.clock.time()
    if data.action in ("dash", "exp", "mutes", "dl"):
        await answer(update)
        handler = {"dash": _dashboard, "exp": _export, "mutes": _mutes, "dl": _deadlines}[
            data.action
        ]
        await handler(update, context, caller)
        return
    target = data.int_arg(0)
    if data.action == "um" and target is not None:
        found = await sealing.get_mute(db, target)
        via = (
            await suggestions.get(db, found.via_suggestion_id)
            if found and found.via_suggestion_id
            else None
        )
        if via is None:
            await stale(update, caller)
            return
        if not await roles.can_manage(db, caller.member.id, via.unit_id):
            await refuse(update, caller)
            return
        async with db.transaction() as tx:
            if await sealing.unmute(tx, target):
                await audit.record(
                    tx,
                    caller.member.id,
                    "suggestion_unmute",
                    now,
                    target_type="suggestion",
                    target_id=via.id,
                    details={"ref": via.ref},
                )
        await answer(update)
        await _mutes(update, context, caller, _("🔈 The mute was lifted."))
        return
    unit = await units.get(db, target) if target is not None else None
    if unit is None or data.action not in ("dlu", "dls"):
        await stale(update, caller)
        return
    if not await roles.can_manage(db, caller.member.id, unit.id):
        await refuse(update, caller)
        return
    await answer(update)
    if data.action == "dlu":
        layout = [
            [
                button(
                    _.ngettext("{days} day", "{days} days", d, days=d), cb(NS, "dls", unit.id, d)
                )
                for d in DEADLINE_CHOICES[:3]
            ],
            [
                button(
                    _.ngettext("{days} day", "{days} days", d, days=d), cb(NS, "dls", unit.id, d)
                )
                for d in DEADLINE_CHOICES[3:]
            ],
            [button(_("⬅ Back"), cb(NS, "dl"))],
        ]
        await show(
            update,
            context,
            _(
                "⏱ Reply deadline for {unit} (now {days} days):",
                unit=unit.name,
                days=unit.reply_deadline_days,
            ),
            keyboard(layout),
        )
        return
    days = data.int_arg(1)
    if days is None or days not in DEADLINE_CHOICES:
        await stale(update, caller)
        return
    async with db.transaction() as tx:
        await units.set_reply_deadline(tx, unit.id, days)
        await audit.record(
            tx,
            caller.member.id,
            "unit_reply_deadline",
            now,
            target_type="unit",
            target_id=unit.id,
            details={"days": days},
        )
    await _deadlines(update, context, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Add the supervision buttons (reached from the inbox)."""
    registry.job("suggestions_sweep", sweep, 60, first=30)
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
