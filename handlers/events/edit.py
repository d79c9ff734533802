"""Officers change an event's time or place, or add a member by hand (typed dialogs)."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_
from bot.services import BotContext
from handlers.common import Caller, answer, send, show, stale
from handlers.events import notify as tell
from handlers.events import rules
from handlers.events.officer import show_manage
from handlers.events.views import (
    NOT_ALLOWED,
    can_manage_event,
    edit_routes,
    officer_routes,
    zone,
)
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute
from handlers.routing import STALE, Action, ActionHandler, Args
from handlers.unit_picker import UnitTree
from handlers.validation import Problem, clean_text
from storage import dialogs, members
from storage.dialogs import Dialog
from storage.events import Event, Outcome, officer, queries

routes = edit_routes
KIND = "event_edit"
MAX_MATCHES = 8


async def _begin(
    update: Update, context: BotContext, caller: Caller, event: Event, step: str
) -> None:
    """Open the typed dialog for a new time, a new place or a name to add."""
    _ = caller._
    await dialogs.save(
        context.db,
        caller.member.telegram_id,
        Dialog(KIND, step, {"event_id": event.id}),
        context.clock.time(),
    )
    prompt = {
        "time": _(
            "🕒 Send the new start date and time of {title} (for example 2026-03-10 14:00).",
            title=event.title,
        ),
        "place": _(
            "📍 Send the new place of {title} (at most {max} characters).",
            title=event.title,
            max=rules.MAX_PLACE,
        ),
        "add": _("➕ Send part of the member's name, or their employee number."),
    }[step]
    back = (
        officer_routes.data("att", event.id, 0)
        if step == "add"
        else officer_routes.data("open", event.id)
    )
    await show(update, context, prompt, keyboard([[button(_("⬅ Back"), back)]]))


async def _event_for(context: BotContext, caller: Caller, event_id: int) -> Event | str:
    """The event if the caller may still manage it (re-checked on typed input too).

    Otherwise the dialog closes and the text says why (out of date, or not allowed).
    """
    event = await queries.get(context.db, event_id)
    why = None
    if event is None or not event.published:
        why = caller._(STALE)
    elif not caller.is_officer or not await can_manage_event(context.db, caller.member.id, event):
        why = caller._(NOT_ALLOWED)
    if why is not None or event is None:
        await dialogs.clear(context.db, caller.member.telegram_id)
        return why or caller._(STALE)
    return event


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """New start, new end, new place, or a name to add."""
    _ = caller._
    event = await _event_for(context, caller, int(dialog.data.get("event_id") or 0))
    if isinstance(event, str):
        if update.effective_message is not None:
            await update.effective_message.reply_text(event)
        return
    text = update.effective_message.text if update.effective_message else None
    db, now, tz = context.db, context.clock.time(), zone(context)
    if dialog.step == "time":
        start = rules.parse_when(text, tz, now)
        problem = start if isinstance(start, Problem) else rules.check_start(start, now)
        if problem is not None or not isinstance(start, float):
            await send(update, context, "⚠️ " + (problem or Problem("")).render(_))
            return
        dialog.step, dialog.data["starts_at"] = "time_end", start
        await dialogs.save(db, caller.member.telegram_id, dialog, now)
        await send(
            update,
            context,
            _("When does it end? Send the time (for example 16:00), or a date and time."),
        )
    elif dialog.step == "time_end":
        start = float(dialog.data["starts_at"])
        end = rules.parse_when(text, tz, now, day_of=start)
        problem = end if isinstance(end, Problem) else rules.check_end(end, start)
        if problem is not None or not isinstance(end, float):
            await send(update, context, "⚠️ " + (problem or Problem("")).render(_))
            return
        await _reschedule(update, context, caller, event, start, end)
    elif dialog.step == "place":
        place = clean_text(text, rules.MAX_PLACE)
        if isinstance(place, Problem):
            await send(update, context, "⚠️ " + place.render(_))
            return
        moved = await officer.move(
            db, caller.member.id, event.id, place, now, caller.member.telegram_id
        )
        if moved is not None:
            await tell.changed(context, moved, N_("✏️ <b>Changed</b>: {title} has a new place."))
            await show_manage(
                update,
                context,
                caller,
                moved,
                _("✅ The place was changed and everyone signed up was told."),
            )
    elif dialog.step == "add":
        await _matches(update, context, caller, event, text)


async def _reschedule(
    update: Update, context: BotContext, caller: Caller, event: Event, start: float, end: float
) -> None:
    """Move the event; reminders follow and everyone with a place is told."""
    db, now = context.db, context.clock.time()
    moved = await officer.reschedule(
        db, caller.member.id, event.id, start, end, now, caller.member.telegram_id
    )
    if moved is None:
        await stale(update, caller)
        return
    await tell.changed(context, moved, N_("✏️ <b>Changed</b>: {title} has a new time."))
    await show_manage(
        update,
        context,
        caller,
        moved,
        caller._("✅ The time was changed; everyone signed up was told and reminders follow it."),
    )


async def _matches(
    update: Update, context: BotContext, caller: Caller, event: Event, text: str | None
) -> None:
    """Audience members matching a typed name or number, as buttons."""
    _ = caller._
    query = clean_text(text, 64)
    if isinstance(query, Problem):
        await send(update, context, "⚠️ " + query.render(_))
        return
    found = await queries.search_audience(context.db, event.id, query, MAX_MATCHES)
    if not found:
        await send(
            update,
            context,
            _("Nobody in the audience of this event matches. Try another part of the name."),
        )
        return
    tree = await UnitTree.load(context.db)
    layout = []
    for member_id in found:
        member = await members.by_id(context.db, member_id)
        if member is not None:
            unit = tree.path(member.unit_id) if member.unit_id else ""
            layout.append(
                [button(f"{member.name} · {unit}"[:60], routes.data("pick", event.id, member_id))]
            )
    layout.append([button(_("⬅ Back"), officer_routes.data("att", event.id, 0))])
    await send(update, context, _("Who do you want to add?"), keyboard(layout))


async def _add(
    update: Update, context: BotContext, caller: Caller, args: Args, over: bool
) -> str | None:
    """Confirm a member by hand (audited in storage); above capacity only after asking."""
    _ = caller._
    event = await _event_for(context, caller, args.num(0))
    if isinstance(event, str):
        return event
    member_id, db = args.num(1), context.db
    result = await officer.add_member(
        db, caller.member.id, event.id, member_id, context.clock.time(), over=over,
        telegram_id=caller.member.telegram_id,
    )  # fmt: skip
    member = await members.by_id(db, member_id)
    name = member.name if member else "?"
    attendees = button(_("⬅ Back"), officer_routes.data("att", event.id, 0))
    if result.outcome is Outcome.FULL:
        question = _(
            "{title} is full. Add {name} anyway, above the number of seats?",
            title=event.title,
            name=name,
        )
        anyway = button(_("➕ Add anyway"), routes.data("over", event.id, member_id))
        await show(update, context, question, keyboard([[anyway], [attendees]]))
        return None
    if result.outcome is Outcome.ALREADY:
        return _("{name} is already signed up.", name=name)
    if result.outcome is not Outcome.CONFIRMED:
        return _("That member cannot be added to this event.")
    await answer(update, _("Added."))
    await tell.added(context, event, member_id)
    await show(
        update,
        context,
        _("✅ {name} is signed up for {title}.", name=name, title=event.title),
        keyboard([[button(_("👥 Attendees"), officer_routes.data("att", event.id, 0))]]),
    )
    return None


async def pick(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Add the member the officer picked."""
    return await _add(update, context, caller, args, over=False)


async def add_over(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Add the member above the number of seats, as the officer confirmed."""
    return await _add(update, context, caller, args, over=True)


def _begins(step: str) -> ActionHandler:
    """The button that opens the typed dialog for `step`."""

    async def begin(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
        event = await _event_for(context, caller, args.num(0))
        if isinstance(event, str):
            return event
        await _begin(update, context, caller, event, step)
        return None

    begin.__doc__ = f"Open the typed dialog for step {step!r}."
    return begin


for _step in ("time", "place", "add"):
    routes.add(Action(_step, _begins(_step), "officer", (int,)))
routes.add(Action("pick", pick, "officer", (int, int)))
routes.add(Action("over", add_over, "officer", (int, int)))

DIALOG = DialogRoute(on_text=on_text, cancel_note=N_("The event was not changed."))
