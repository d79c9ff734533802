"""Members: upcoming events, details, sign up, waitlist, held seats and calendar files."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot import ics
from bot.services import BotContext
from handlers.common import Caller, answer, registered_caller, send, with_loaded
from handlers.events import notify as tell
from handlers.events import rules
from handlers.events.views import (
    card,
    checkin_routes,
    list_label,
    member_routes,
    policy,
    screen,
    when_text,
    zone,
)
from handlers.keyboards import button, keyboard, paginate
from handlers.menu import HOME
from handlers.routing import STALE, Action, Args
from storage.events import Event, Outcome, Seats, Signup, places, queries

routes = member_routes
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
        [button(list_label(_, e, seats[e.id], mine.get(e.id), tz), routes.data("open", e.id))]
        for e in upcoming[start:end]
    ]
    nav = []
    if page > 0:
        nav.append(button(_("⬅ Earlier"), routes.data("list", page - 1)))
    if end < len(upcoming):
        nav.append(button(_("Later ➡"), routes.data("list", page + 1)))
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
                button(_("✅ Yes, I take the seat"), routes.data("ok", event.id)),
                button(_("✖ No, thanks"), routes.data("no", event.id)),
            ]
        )
    elif event.published and status == "confirmed":
        if rules.checkin_state(now, event.starts_at, event.ends_at) == "open":
            layout.append([button(_("📍 Check in"), checkin_routes.data("ask", event.id))])
        layout.append([button(_("🗓 Calendar file"), routes.data("ics", event.id))])
        if open_:
            layout.append([button(_("✖ Cancel my sign-up"), routes.data("quit", event.id))])
    elif event.published and status == "waitlisted":
        layout.append([button(_("✖ Leave the waitlist"), routes.data("quit", event.id))])
    elif open_ and seats.free == 0:
        layout.append([button(_("⏳ Join the waitlist"), routes.data("join", event.id))])
    elif open_:
        layout.append([button(_("✅ Sign up"), routes.data("join", event.id))])
    layout.append([button(_("⬅ Back"), routes.data("list")), button(_("🏠 Main menu"), HOME)])
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


async def _event(context: BotContext, caller: Caller, event_id: int) -> Event | str:
    """The pressed event, or why the press changes nothing (it is gone)."""
    event = await queries.get(context.db, event_id)
    return caller._(STALE) if event is None else event


async def _seen(context: BotContext, caller: Caller, event_id: int) -> Event | str:
    """The pressed event when the member may see it, else why not (gone; not their unit)."""
    event = await _event(context, caller, event_id)
    if isinstance(event, Event) and not await _visible(context, caller, event):
        return _refusal(caller, Outcome.NOT_IN_AUDIENCE)
    return event


async def _visible(context: BotContext, caller: Caller, event: Event) -> bool:
    """Members see events of their units, or ones they already have a row in."""
    if await queries.in_audience(context.db, event.id, caller.member.id):
        return True
    return await queries.signup_of(context.db, event.id, caller.member.id) is not None


async def show_list(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """A page of upcoming events."""
    page = args.get(0, 0)
    await _list(update, context, caller, page if isinstance(page, int) else 0)
    return None


async def open_event(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """The event card with what the member can do."""
    await _detail(update, context, caller, event)
    return None


async def join(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Sign up (or queue) atomically, then confirm with the calendar file."""
    _ = caller._
    result = await places.join(context.db, event.id, caller.member.id, context.clock.time(),
                               policy(context))  # fmt: skip
    if result.outcome is Outcome.ALREADY:
        # The alert goes first: drawing the card answers the press blank.
        await answer(update, _("You are already signed up for this event."), alert=True)
    elif result.outcome not in (Outcome.CONFIRMED, Outcome.WAITLISTED):
        return _refusal(caller, result.outcome)
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
    return None


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
    update: Update, context: BotContext, caller: Caller, event: Event, declined: bool
) -> str | None:
    """Give up a seat, a held seat or a waitlist place; the next in line moves up."""
    _ = caller._
    result = await places.give_up(context.db, event.id, caller.member.id, context.clock.time(),
                                  policy(context))  # fmt: skip
    if result.outcome is not Outcome.LEFT:
        await answer(update, _refusal(caller, result.outcome), alert=True)
        await _detail(update, context, caller, event)
        return None
    await answer(update, _("Done."))
    note = (
        _("You passed the seat on. Thank you for letting us know.")
        if declined
        else _("Your sign-up is cancelled.")
    )
    await _detail(update, context, caller, event, note)
    # The member who pressed is answered first; then the next in line hears of the seat.
    await tell.promotions(context, result.promotions)
    return None


async def quit_ok(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Confirmed: give up the seat or the waitlist place."""
    return await _leave(update, context, caller, event, declined=False)


async def decline(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """No thanks to a held seat: it passes on."""
    return await _leave(update, context, caller, event, declined=True)


async def accept(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Turn a held seat into a confirmed one."""
    _ = caller._
    result = await places.take_offer(context.db, event.id, caller.member.id,
                                     context.clock.time(), policy(context))  # fmt: skip
    try:
        if result.outcome is Outcome.ALREADY:
            return _("You are already signed up for this event.")
        if result.outcome is not Outcome.CONFIRMED:
            await answer(update, _refusal(caller, result.outcome), alert=True)
        await _detail(update, context, caller, event)
        if result.outcome is not Outcome.CONFIRMED:
            return None
        await _confirmation(update, context, caller, event)
        return None
    finally:
        # A lapsed offer passes the seat on even though this member's press failed.
        await tell.promotions(context, result.promotions)


async def ask_quit(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Ask before giving up a place."""
    _ = caller._
    mine = await queries.signup_of(context.db, event.id, caller.member.id)
    if mine is None or not mine.active:
        await _detail(update, context, caller, event)
        return None
    question = (
        _("Leave the waitlist for {title}?", title=event.title)
        if mine.status == "waitlisted"
        else _(
            "Cancel your seat at {title}? It will go to the next person in line.", title=event.title
        )
    )
    yes = button(_("✖ Yes, cancel"), routes.data("quitok", event.id))
    no = button(_("⬅ No, keep it"), routes.data("open", event.id))
    await screen(update, context, question, keyboard([[yes], [no]]))
    return None


async def send_file(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Send the calendar file again."""
    chat = update.effective_chat
    if chat is None:
        return None
    data = ics.event_ics(
        event,
        zone(context),
        now=context.clock.time(),
        domain=context.services.bot_username,
        cancelled=not event.published,
    )
    await context.bot.send_document(chat.id, InputFile(data, filename=ics.filename(event)))
    return None


async def on_events_command(update: Update, context: BotContext) -> None:
    """List upcoming events for the member's units."""
    caller = await registered_caller(update, context)
    if caller is None:
        return
    await _list(update, context, caller)


routes.add(Action("list", show_list, "verified", (int,), optional=1))
#: A member's buttons on one event: (action, step, whether the event must be one they see).
STEPS = (
    ("open", open_event, True),
    ("join", join, False),
    ("quit", ask_quit, True),
    ("quitok", quit_ok, False),
    ("no", decline, False),
    ("ok", accept, False),
    ("ics", send_file, True),
)
for _name, _step, _visible_only in STEPS:
    _load = _seen if _visible_only else _event
    routes.add(Action(_name, with_loaded(_load, _step), "verified", (int,)))
