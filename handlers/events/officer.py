"""Officers: their events, the manage screen, attendee list, removal, export, cancelling."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, press, refuse, show, stale
from handlers.events import export
from handlers.events import notify as tell
from handlers.events.views import (
    NS_CHECKIN,
    NS_EDIT,
    NS_FEEDBACK,
    NS_OFFICER,
    NS_WIZARD,
    STATUS_LABELS,
    can_manage_event,
    card,
    list_label,
    policy,
    zone,
)
from handlers.keyboards import button, cb, keyboard, paginate
from handlers.registry import MenuEntry, Registry
from handlers.unit_picker import UnitTree
from storage import audit, events, members, roles
from storage.events import Event, RosterEntry, commands, places, queries

NS = NS_OFFICER
LINES_PER_PAGE = 40


async def _list(update: Update, context: BotContext, caller: Caller, past: bool) -> None:
    """The officer's upcoming (or past) events in scope."""
    _ = caller._
    db, tz = context.db, zone(context)
    scope = await roles.scope_unit_ids(db, caller.member.id)
    found = await queries.in_scope(db, scope, context.clock.time(), past=past, limit=30)
    seats = await queries.seats_many(db, [e.id for e in found])
    layout: list[list[InlineKeyboardButton]] = [
        [
            button(
                ("❌ " if not e.published else "") + list_label(_, e, seats[e.id], None, tz),
                cb(NS, "open", e.id),
            )
        ]
        for e in found
    ]
    if past:
        layout.append([button(_("⬅ Back"), cb(NS, "list"))])
        text = (
            _("🕘 <b>Past events</b>")
            + "\n"
            + (_("Choose one to see attendance and feedback.") if found else _("No past events."))
        )
    else:
        layout.append([button(_("➕ New event"), cb(NS_WIZARD, "new"))])
        layout.append([button(_("🕘 Past events"), cb(NS, "past"))])
        layout.append([button(_("⬅ Back"), cb("m", "off"))])
        text = (
            _("📅 <b>Events</b> of your units")
            + "\n"
            + (
                _("Choose one to manage it, or create a new one.")
                if found
                else _("No upcoming events. Create one!")
            )
        )
    await show(update, context, text, keyboard(layout))


async def show_manage(
    update: Update, context: BotContext, caller: Caller, event: Event, note: str = ""
) -> None:
    """The manage screen of one event (also used after edits)."""
    _ = caller._
    db, tz = context.db, zone(context)
    seats = await queries.seats(db, event.id)
    checked = sum(1 for r in await queries.signups(db, event.id, ("confirmed",)) if r.checked_in_at)
    text = (
        card(_, event, tz, seats, max_description=200)
        + "\n\n"
        + _(
            "Signed up {confirmed}, seats held {offered}, waiting {waiting}, checked in {checked}.",
            confirmed=seats.confirmed,
            offered=seats.offered,
            waiting=seats.waitlisted,
            checked=checked,
        )
    )
    if note:
        text = f"{note}\n\n{text}"
    layout = [
        [
            button(_("👥 Attendees"), cb(NS, "att", event.id, 0)),
            button(_("📥 Excel"), cb(NS, "xls", event.id)),
        ],
        [button(_("⭐ Feedback"), cb(NS_FEEDBACK, "res", event.id))],
    ]
    if event.published:
        layout[1].insert(0, button(_("📍 Check-in code"), cb(NS_CHECKIN, "show", event.id)))
        layout.append(
            [
                button(_("🕒 Change time"), cb(NS_EDIT, "time", event.id)),
                button(_("📍 Change place"), cb(NS_EDIT, "place", event.id)),
            ]
        )
        layout.append([button(_("❌ Cancel the event"), cb(NS, "cx", event.id))])
    layout.append([button(_("⬅ Back"), cb(NS, "list"))])
    await show(update, context, text, keyboard(layout))


def _roster_lines(_: Translate, roster: list[RosterEntry], tree: UnitTree) -> list[str]:
    lines: list[str] = []
    groups = (
        ("confirmed", _("<b>Signed up</b>")),
        ("offered", _("<b>Seat held</b>")),
        ("waitlisted", _("<b>Waitlist</b>")),
    )
    for status, title in groups:
        entries = [r for r in roster if r.signup.status == status]
        if not entries:
            continue
        lines.append(title)
        for n, entry in enumerate(entries, 1):
            unit = tree.path(entry.unit_id) if entry.unit_id else "—"
            mark = " ✔" if entry.signup.checked_in_at else ""
            lines.append(
                _("{n}. {name} ({unit}){mark}", n=n, name=entry.name, unit=unit, mark=mark)
            )
    return lines


async def _attendees(
    update: Update, context: BotContext, caller: Caller, event: Event, page: int, note: str = ""
) -> None:
    """The roster: signed up, seats held and the waitlist, a page at a time."""
    _ = caller._
    db = context.db
    seats = await queries.seats(db, event.id)
    roster = await queries.roster(db, event.id)
    tree = await UnitTree.load(db)
    lines = _roster_lines(_, roster, tree) or [_("Nobody yet.")]
    page, start, end = paginate(len(lines), page, LINES_PER_PAGE)
    head = _(
        "👥 <b>{title}</b>\nSigned up {confirmed}, seats held {offered}, waiting {waiting}.",
        title=event.title,
        confirmed=seats.confirmed,
        offered=seats.offered,
        waiting=seats.waitlisted,
    )
    text = "\n".join([*([note] if note else []), head, "", *lines[start:end]])
    nav = []
    if page > 0:
        nav.append(button("⬅", cb(NS, "att", event.id, page - 1)))
    if end < len(lines):
        nav.append(button("➡", cb(NS, "att", event.id, page + 1)))
    layout = [nav]
    if event.published:
        layout.append(
            [
                button(_("➕ Add a member"), cb(NS_EDIT, "add", event.id)),
                button(_("➖ Remove a member"), cb(NS, "rml", event.id)),
            ]
        )
    layout.append([button(_("⬅ Back"), cb(NS, "open", event.id))])
    await show(update, context, text, keyboard(layout))


async def _removal_list(update: Update, context: BotContext, caller: Caller, event: Event) -> None:
    """Everyone with a place, as buttons to take them off."""
    _ = caller._
    roster = await queries.roster(context.db, event.id)
    layout = [
        [
            button(
                f"✖ {r.name} · {_(STATUS_LABELS[r.signup.status])}",
                cb(NS, "rm", event.id, r.signup.member_id),
            )
        ]
        for r in roster[:60]
    ]
    layout.append([button(_("⬅ Back"), cb(NS, "att", event.id, 0))])
    await show(
        update,
        context,
        _("➖ Who should be taken off {title}?", title=event.title),
        keyboard(layout),
    )


async def _remove(
    update: Update, context: BotContext, caller: Caller, event: Event, member_id: int
) -> None:
    """Take a member off, audit it, tell them and whoever moves up."""
    _ = caller._
    db, now = context.db, context.clock.time()
    async with db.transaction() as tx:
        result = await places.remove_by_officer(tx, event.id, member_id, now, policy(context))
        if result.signup is not None and result.outcome is events.Outcome.LEFT:
            await audit.record(
                tx,
                caller.member.id,
                "event_remove",
                now,
                target_type="event",
                target_id=event.id,
                details={"member_id": member_id},
            )
    if result.outcome is not events.Outcome.LEFT:
        await answer(update, _("That member is not signed up any more."), alert=True)
        await _attendees(update, context, caller, event, 0)
        return
    await answer(update, _("Removed."))
    await tell.removed(context, event, member_id)
    await tell.promotions(context, result.promotions)
    member = await members.by_id(db, member_id)
    await _attendees(
        update,
        context,
        caller,
        event,
        0,
        _("✅ {name} was removed.", name=member.name if member else "?"),
    )


async def _cancel(update: Update, context: BotContext, caller: Caller, event: Event) -> None:
    """Cancel the event, audit it and tell everyone with a place."""
    _ = caller._
    db, now = context.db, context.clock.time()
    async with db.transaction() as tx:
        told = await commands.cancel_event(tx, event.id, now)
        await audit.record(
            tx,
            caller.member.id,
            "event_cancel",
            now,
            target_type="event",
            target_id=event.id,
            details={"told": len(told)},
        )
    await answer(update, _("Cancelled."))
    fresh = await queries.get(db, event.id)
    assert fresh is not None
    await tell.cancelled(context, fresh, told)
    await show_manage(
        update,
        context,
        caller,
        fresh,
        _("❌ The event is cancelled. {count} people were told.", count=len(told)),
    )


async def on_button(update: Update, context: BotContext) -> None:
    """Officer event buttons; role and scope are checked on every press."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    _ = caller._
    if data.action in ("list", "past"):
        await answer(update)
        await _list(update, context, caller, past=data.action == "past")
        return
    event_id = data.int_arg(0)
    event = await queries.get(context.db, event_id) if event_id is not None else None
    if event is None:
        await stale(update, caller)
        return
    if not await can_manage_event(context.db, caller.member.id, event):
        await refuse(update, caller)
        return
    action = data.action
    if action == "open":
        await answer(update)
        await show_manage(update, context, caller, event)
    elif action == "att":
        await answer(update)
        await _attendees(update, context, caller, event, data.int_arg(1) or 0)
    elif action == "rml":
        await answer(update)
        await _removal_list(update, context, caller, event)
    elif action == "rm" and data.int_arg(1) is not None:
        await answer(update)
        member = await members.by_id(context.db, data.int_arg(1) or 0)
        await show(
            update,
            context,
            _(
                "Take {name} off {title}? The next in line moves up.",
                name=member.name if member else "?",
                title=event.title,
            ),
            keyboard(
                [
                    [button(_("✖ Yes, remove"), cb(NS, "rmok", event.id, data.int_arg(1)))],
                    [button(_("⬅ Back"), cb(NS, "att", event.id, 0))],
                ]
            ),
        )
    elif action == "rmok" and data.int_arg(1) is not None:
        await _remove(update, context, caller, event, data.int_arg(1) or 0)
    elif action == "xls":
        await answer(update, _("Preparing the file…"))
        await export.send_export(update, context, caller, event)
    elif action == "cx" and event.published:
        await answer(update)
        await show(
            update,
            context,
            _(
                "Cancel {title}? Everyone signed up or waiting is told, and no reminder is sent.",
                title=event.title,
            ),
            keyboard(
                [
                    [button(_("❌ Yes, cancel the event"), cb(NS, "cxok", event.id))],
                    [button(_("⬅ No, keep it"), cb(NS, "open", event.id))],
                ]
            ),
        )
    elif action == "cxok" and event.published:
        await _cancel(update, context, caller, event)
    else:
        await stale(update, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Add the officer's event buttons and the officer-menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("📅 Events"), cb(NS, "list"), "officer", 30))
