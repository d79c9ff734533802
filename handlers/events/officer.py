"""Officers: their events, the manage screen, attendee list, removal, export, cancelling."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller, answer, drawn, show, with_loaded
from handlers.events import export
from handlers.events import notify as tell
from handlers.events.views import (
    STATUS_LABELS,
    card,
    checkin_routes,
    edit_routes,
    feedback_routes,
    list_label,
    managed_event,
    officer_routes,
    policy,
    wizard_routes,
    zone,
)
from handlers.keyboards import button, cb, keyboard, paginate
from handlers.routing import STALE, Action, Args
from handlers.unit_picker import UnitTree
from storage import members, roles
from storage.events import Event, Outcome, RosterEntry, officer, queries

routes = officer_routes
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
                routes.data("open", e.id),
            )
        ]
        for e in found
    ]
    if past:
        layout.append([button(_("⬅ Back"), routes.data("list"))])
        text = (
            _("🕘 <b>Past events</b>")
            + "\n"
            + (_("Choose one to see attendance and feedback.") if found else _("No past events."))
        )
    else:
        layout.append([button(_("➕ New event"), wizard_routes.data("new"))])
        layout.append([button(_("🕘 Past events"), routes.data("past"))])
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
            button(_("👥 Attendees"), routes.data("att", event.id, 0)),
            button(_("📥 Excel"), routes.data("xls", event.id)),
        ],
        [button(_("⭐ Feedback"), feedback_routes.data("res", event.id))],
    ]
    if event.published:
        layout[1].insert(0, button(_("📍 Check-in code"), checkin_routes.data("show", event.id)))
        layout.append(
            [
                button(_("🕒 Change time"), edit_routes.data("time", event.id)),
                button(_("📍 Change place"), edit_routes.data("place", event.id)),
            ]
        )
        layout.append([button(_("❌ Cancel the event"), routes.data("cx", event.id))])
    layout.append([button(_("⬅ Back"), routes.data("list"))])
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
        nav.append(button("⬅", routes.data("att", event.id, page - 1)))
    if end < len(lines):
        nav.append(button("➡", routes.data("att", event.id, page + 1)))
    layout = [nav]
    if event.published:
        layout.append(
            [
                button(_("➕ Add a member"), edit_routes.data("add", event.id)),
                button(_("➖ Remove a member"), routes.data("rml", event.id)),
            ]
        )
    layout.append([button(_("⬅ Back"), routes.data("open", event.id))])
    await show(update, context, text, keyboard(layout))


async def manage(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """The manage screen of one event."""
    await show_manage(update, context, caller, event)
    return None


async def attendees(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """A page of the roster."""
    page = args.get(1, 0)
    await _attendees(update, context, caller, event, page if isinstance(page, int) else 0)
    return None


async def removal_list(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Everyone with a place, as buttons to take them off."""
    _ = caller._
    roster = await queries.roster(context.db, event.id)
    layout = [
        [
            button(
                f"✖ {r.name} · {_(STATUS_LABELS[r.signup.status])}",
                routes.data("rm", event.id, r.signup.member_id),
            )
        ]
        for r in roster[:60]
    ]
    layout.append([button(_("⬅ Back"), routes.data("att", event.id, 0))])
    question = _("➖ Who should be taken off {title}?", title=event.title)
    await show(update, context, question, keyboard(layout))
    return None


async def ask_remove(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Ask before taking a member off."""
    _ = caller._
    member = await members.by_id(context.db, args.num(1))
    question = _(
        "Take {name} off {title}? The next in line moves up.",
        name=member.name if member else "?",
        title=event.title,
    )
    yes = button(_("✖ Yes, remove"), routes.data("rmok", event.id, args.num(1)))
    back = button(_("⬅ Back"), routes.data("att", event.id, 0))
    await show(update, context, question, keyboard([[yes], [back]]))
    return None


async def remove(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Take a member off (audited in storage), tell them and whoever moves up."""
    _ = caller._
    member_id, db = args.num(1), context.db
    result = await officer.remove_member(
        db, caller.member.id, event.id, member_id, context.clock.time(), policy(context)
    )
    if result.outcome is not Outcome.LEFT:
        await answer(update, _("That member is not signed up any more."), alert=True)
        await _attendees(update, context, caller, event, 0)
        return None
    await answer(update, _("Removed."))
    await tell.removed(context, event, member_id)
    await tell.promotions(context, result.promotions)
    member = await members.by_id(db, member_id)
    note = _("✅ {name} was removed.", name=member.name if member else "?")
    await _attendees(update, context, caller, event, 0, note)
    return None


async def excel(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """The attendance workbook; the press is answered first, building it takes a moment."""
    await answer(update, caller._("Preparing the file…"))
    await export.send_export(update, context, caller, event)
    return None


async def ask_cancel(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Ask before cancelling the event."""
    _ = caller._
    question = _(
        "Cancel {title}? Everyone signed up or waiting is told, and no reminder is sent.",
        title=event.title,
    )
    yes = button(_("❌ Yes, cancel the event"), routes.data("cxok", event.id))
    no = button(_("⬅ No, keep it"), routes.data("open", event.id))
    await show(update, context, question, keyboard([[yes], [no]]))
    return None


async def cancel(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Cancel the event (audited in storage) and tell everyone with a place."""
    _ = caller._
    told = await officer.cancel(context.db, caller.member.id, event.id, context.clock.time())
    await answer(update, _("Cancelled."))
    fresh = await queries.get(context.db, event.id)
    assert fresh is not None
    await tell.cancelled(context, fresh, told)
    note = _("❌ The event is cancelled. {count} people were told.", count=len(told))
    await show_manage(update, context, caller, fresh, note)
    return None


async def _published(context: BotContext, caller: Caller, event_id: int) -> Event | str:
    """A managed event that is still on (a cancelled one cannot be cancelled again)."""
    event = await managed_event(context, caller, event_id)
    return caller._(STALE) if isinstance(event, Event) and not event.published else event


routes.add(Action("list", drawn(_list, False, doc="Upcoming events in scope."), "officer", ()))
routes.add(Action("past", drawn(_list, True, doc="Past events in scope."), "officer", ()))
#: The buttons of one event the officer manages: (action, step, arguments, optional ones).
STEPS = (
    ("open", manage, (int,), 0),
    ("att", attendees, (int, int), 1),
    ("rml", removal_list, (int,), 0),
    ("rm", ask_remove, (int, int), 0),
    ("rmok", remove, (int, int), 0),
    ("xls", excel, (int,), 0),
)
for _name, _step, _spec, _optional in STEPS:
    _handler = with_loaded(managed_event, _step)
    routes.add(Action(_name, _handler, "officer", _spec, optional=_optional))
routes.add(Action("cx", with_loaded(_published, ask_cancel), "officer", (int,)))
routes.add(Action("cxok", with_loaded(_published, cancel), "officer", (int,)))
