"""Members: upcoming events, details, sign up, waitlist, held seats and calendar files."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import ics
from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, get_caller, press, send, stale
from handlers.events import notify as tell
from handlers.events import rules
from handlers.events.views import (
    NS,
    NS_CHECKIN,
    card,
    list_label,
    policy,
    screen,
    when_text,
    zone,
)
from handlers.keyboards import button, cb, keyboard, paginate
from handlers.menu import HOME
from handlers.registry import CommandEntry, MenuEntry, Registry
from storage.events import Event, Outcome, Seats, Signup, places, queries

PER_PAGE = 8


async def _list(update: Update, context: BotContext, caller: Caller, page: int = 0) -> None:
    """Upcoming events of the member's units, a page of buttons."""
    _ = caller._
    db, tz = context.db, zone(context)
    upcoming = await queries.upcoming_for_member(db, caller.member.id, context.clock.time())
    ids = [e.id for e in upcoming]
    seats = await queries.seats_many(db, ids)
    mine = await queries.signups_of_member(db, caller.member.id, ids)
    page, start, end = paginate(len(upcoming), page, PER_PAGE)
    layout: list[list[InlineKeyboardButton]] = [
        [button(list_label(_, e, seats[e.id], mine.get(e.id), tz), cb(NS, "open", e.id))]
        for e in upcoming[start:end]
    ]
    nav = []
    if page > 0:
        nav.append(button(_("⬅ Earlier"), cb(NS, "list", page - 1)))
    if end < len(upcoming):
        nav.append(button(_("Later ➡"), cb(NS, "list", page + 1)))
    layout.append(nav)
    layout.append([button(_("🏠 Main menu"), HOME)])
    text = _("📅 <b>Upcoming events</b>") + "\n"
    text += (
        _("Choose an event to see details and sign up. ✅ signed up, ⏳ waitlist.")
        if upcoming
        else _("There are no upcoming events for your unit right now.")
    )
    await screen(update, context, text, keyboard(layout))


def _detail_markup(
    caller: Caller, event: Event, mine: Signup | None, seats: Seats, now: float
) -> InlineKeyboardMarkup:
    """What the member can do now: sign up or queue, confirm a held seat, cancel, check in."""
    _ = caller._
    status = mine.status if mine is not None else None
    layout: list[list[InlineKeyboardButton]] = []
    open_ = event.published and rules.signup_open(now, event.signup_deadline, event.starts_at)
    if event.published and status == "offered":
        layout.append(
            [
                button(_("✅ Yes, I take the seat"), cb(NS, "ok", event.id)),
                button(_("✖ No, thanks"), cb(NS, "no", event.id)),
            ]
        )
    elif event.published and status == "confirmed":
        if rules.checkin_state(now, event.starts_at, event.ends_at) == "open":
            layout.append([button(_("📍 Check in"), cb(NS_CHECKIN, "ask", event.id))])
        layout.append([button(_("🗓 Calendar file"), cb(NS, "ics", event.id))])
        if open_:
            layout.append([button(_("✖ Cancel my sign-up"), cb(NS, "quit", event.id))])
    elif event.published and status == "waitlisted":
        layout.append([button(_("✖ Leave the waitlist"), cb(NS, "quit", event.id))])
    elif open_ and seats.free == 0:
        layout.append([button(_("⏳ Join the waitlist"), cb(NS, "join", event.id))])
    elif open_:
        layout.append([button(_("✅ Sign up"), cb(NS, "join", event.id))])
    layout.append([button(_("⬅ Back"), cb(NS, "list")), button(_("🏠 Main menu"), HOME)])
    return keyboard(layout)


async def _detail(
    update: Update, context: BotContext, caller: Caller, event: Event, note: str = ""
) -> None:
    """Show the event card with the buttons that fit the member's place."""
    db = context.db
    mine = await queries.signup_of(db, event.id, caller.member.id)
    position = await queries.position(db, mine) if mine is not None else None
    seats = await queries.seats(db, event.id)
    text = card(caller._, event, zone(context), seats, signup=mine, position=position)
    if note:
        text = f"{note}\n\n{text}"
    markup = _detail_markup(caller, event, mine, seats, context.clock.time())
    await screen(update, context, text, markup)


def _refusal(caller: Caller, outcome: Outcome) -> str:
    """Why nothing changed, in the member's words."""
    _ = caller._
    return {
        Outcome.NOT_FOUND: _("This event no longer exists."),
        Outcome.EVENT_CANCELLED: _("This event has been cancelled."),
        Outcome.NOT_IN_AUDIENCE: _("This event is not open to your unit."),
        Outcome.CLOSED: _("Sign-up for this event has closed."),
        Outcome.DEADLINE_PASSED: _(
            "The sign-up deadline has passed, so the seat cannot be cancelled here any more. "
            "If you cannot come, please tell the organiser."
        ),
        Outcome.NOT_SIGNED_UP: _("You are not signed up for this event."),
        Outcome.NOT_OFFERED: _("There is no seat held for you at this event."),
        Outcome.OFFER_EXPIRED: _(
            "Sorry, the seat held for you has passed to the next person in line."
        ),
    }.get(outcome, _("Nothing was changed."))


async def _join(update: Update, context: BotContext, caller: Caller, event_id: int) -> None:
    """Sign up (or queue) atomically, then confirm with the calendar file."""
    _ = caller._
    now = context.clock.time()
    async with context.db.transaction() as tx:
        result = await places.sign_up(tx, event_id, caller.member.id, now, policy(context))
    event = await queries.get(context.db, event_id)
    if event is None:
        await stale(update, caller)
        return
    if result.outcome is Outcome.ALREADY:
        await answer(update, _("You are already signed up for this event."), alert=True)
    elif result.outcome in (Outcome.CONFIRMED, Outcome.WAITLISTED):
        await answer(update)
    else:
        await answer(update, _refusal(caller, result.outcome), alert=True)
        return
    await _detail(update, context, caller, event)
    if result.outcome is Outcome.CONFIRMED:
        await _confirmation(update, context, caller, event)
    elif result.outcome is Outcome.WAITLISTED:
        await send(
            update,
            context,
            _(
                "⏳ <b>{title}</b> is full. You are on the waitlist: number {n}. When a seat frees "
                "up, the first in line is offered it and gets a message here.",
                title=event.title,
                n=result.position or "?",
            ),
        )
    await tell.promotions(context, result.promotions)


async def _confirmation(update: Update, context: BotContext, caller: Caller, event: Event) -> None:
    """A message the member keeps, with the calendar file."""
    _ = caller._
    await send(
        update,
        context,
        _(
            "✅ <b>You are signed up</b> for {title}.\n🗓 {when}\n📍 {place}\nWe will remind you "
            "before it starts.",
            title=event.title,
            when=when_text(_, event, zone(context)),
            place=event.place,
        ),
    )
    await tell.send_ics(context, caller.member.id, event)


async def _leave(
    update: Update, context: BotContext, caller: Caller, event_id: int, declined: bool
) -> None:
    """Give up a seat, a held seat or a waitlist place; the next in line moves up."""
    _ = caller._
    now = context.clock.time()
    async with context.db.transaction() as tx:
        result = await places.leave(tx, event_id, caller.member.id, now, policy(context))
    event = await queries.get(context.db, event_id)
    if result.outcome is not Outcome.LEFT or event is None:
        await answer(update, _refusal(caller, result.outcome), alert=True)
        if event is not None:
            await _detail(update, context, caller, event)
        return
    await answer(update, _("Done."))
    note = (
        _("You passed the seat on. Thank you for letting us know.")
        if declined
        else _("Your sign-up is cancelled.")
    )
    await _detail(update, context, caller, event, note)
    # The member who pressed is answered first; then the next in line hears of the seat.
    await tell.promotions(context, result.promotions)


async def _accept(update: Update, context: BotContext, caller: Caller, event_id: int) -> None:
    """Turn a held seat into a confirmed one."""
    _ = caller._
    now = context.clock.time()
    async with context.db.transaction() as tx:
        result = await places.accept_offer(tx, event_id, caller.member.id, now, policy(context))
    event = await queries.get(context.db, event_id)
    try:
        if event is None:
            await stale(update, caller)
        elif result.outcome is Outcome.ALREADY:
            await answer(update, _("You are already signed up for this event."), alert=True)
        elif result.outcome is not Outcome.CONFIRMED:
            await answer(update, _refusal(caller, result.outcome), alert=True)
            await _detail(update, context, caller, event)
        else:
            await answer(update)
            await _detail(update, context, caller, event)
            await _confirmation(update, context, caller, event)
    finally:
        # A lapsed offer passes the seat on even though this member's press failed.
        await tell.promotions(context, result.promotions)


async def on_button(update: Update, context: BotContext) -> None:
    """Route the member's event buttons; every action is checked on the server."""
    pressed = await press(update, context, "verified")
    if pressed is None:
        return
    caller, data = pressed
    if data.action == "list":
        await answer(update)
        await _list(update, context, caller, data.int_arg(0) or 0)
        return
    event_id = data.int_arg(0)
    event = await queries.get(context.db, event_id) if event_id is not None else None
    if event is None:
        await stale(update, caller)
        return
    if data.action in ("open", "ics", "quit") and not await _visible(context, caller, event):
        await answer(update, _refusal(caller, Outcome.NOT_IN_AUDIENCE), alert=True)
        return
    if data.action == "open":
        await answer(update)
        await _detail(update, context, caller, event)
    elif data.action == "join":
        await _join(update, context, caller, event.id)
    elif data.action == "quit":
        await answer(update)
        await _ask_quit(update, context, caller, event)
    elif data.action in ("quitok", "no"):
        await _leave(update, context, caller, event.id, declined=data.action == "no")
    elif data.action == "ok":
        await _accept(update, context, caller, event.id)
    elif data.action == "ics":
        await answer(update)
        await _send_file(update, context, event)
    else:
        await stale(update, caller)


async def _visible(context: BotContext, caller: Caller, event: Event) -> bool:
    """Members see events of their units, or ones they already have a row in."""
    if await queries.in_audience(context.db, event.id, caller.member.id):
        return True
    return await queries.signup_of(context.db, event.id, caller.member.id) is not None


async def _ask_quit(update: Update, context: BotContext, caller: Caller, event: Event) -> None:
    """Ask before giving up a place."""
    _ = caller._
    mine = await queries.signup_of(context.db, event.id, caller.member.id)
    if mine is None or not mine.active:
        await _detail(update, context, caller, event)
        return
    question = (
        _("Leave the waitlist for {title}?", title=event.title)
        if mine.status == "waitlisted"
        else _(
            "Cancel your seat at {title}? It will go to the next person in line.", title=event.title
        )
    )
    await screen(
        update,
        context,
        question,
        keyboard(
            [
                [button(_("✖ Yes, cancel"), cb(NS, "quitok", event.id))],
                [button(_("⬅ No, keep it"), cb(NS, "open", event.id))],
            ]
        ),
    )


async def _send_file(update: Update, context: BotContext, event: Event) -> None:
    """Send the calendar file again."""
    chat = update.effective_chat
    if chat is None:
        return
    data = ics.event_ics(
        event,
        zone(context),
        now=context.clock.time(),
        domain=context.services.bot_username,
        cancelled=not event.published,
    )
    await context.bot.send_document(chat.id, InputFile(data, filename=ics.filename(event)))


async def on_events_command(update: Update, context: BotContext) -> None:
    """List upcoming events for the member's units."""
    caller = await get_caller(update, context)
    if not caller.member.verified:
        await send(update, context, caller._("Please register first: send /start."))
        return
    await _list(update, context, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Add the member's event buttons, /events and the menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    app.add_handler(CommandHandler("events", on_events_command, filters=filters.ChatType.PRIVATE))
    registry.add_menu(MenuEntry(N_("📅 Events"), cb(NS, "list"), "member", 30))
    registry.add_command(CommandEntry("events", N_("Upcoming events and sign-up"), "member", 20))
