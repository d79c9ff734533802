"""Officers change an event's time or place, or add a member by hand (typed dialogs)."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_
from bot.services import BotContext
from handlers.common import NOT_ALLOWED, Caller, Step, answer, send, show, stale, with_loaded
from handlers.events import notify as tell
from handlers.events import rules, steps
from handlers.events.officer import show_manage
from handlers.events.steps import Screen
from handlers.events.views import (
    can_manage_event,
    edit_routes,
    officer_routes,
    zone,
)
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute
from handlers.routing import STALE, Action, Args
from handlers.unit_picker import UnitTree
from handlers.validation import Problem, clean_text
from storage import dialogs, members
from storage.dialogs import Dialog
from storage.events import Event, Outcome, officer, queries, screens

routes = edit_routes
KIND = "event_edit"
MAX_MATCHES = 8


async def screen(context: BotContext, caller: Caller, dialog: Dialog) -> Screen:
    """The prompt of the edit's current step: a new time, its end, a new place or a name."""
    _ = caller._
    event_id = int(dialog.data.get("event_id") or 0)
    event = await queries.get(context.db, event_id)
    title = event.title if event is not None else "?"
    if dialog.step == "time_end":
        return _("When does it end? Send the time (for example 16:00), or a date and time."), None
    prompt = {
        "time": _(
            "🕒 Send the new start date and time of {title} (for example 2026-03-10 14:00).",
            title=title,
        ),
        "place": _(
            "📍 Send the new place of {title} (at most {max} characters).",
            title=title,
            max=rules.MAX_PLACE,
        ),
        "add": _("➕ Send part of the member's name, or their employee number."),
    }[dialog.step]
    back = (
        officer_routes.data("att", event_id, 0)
        if dialog.step == "add"
        else officer_routes.data("open", event_id)
    )
    return prompt, keyboard([[button(_("⬅ Back"), back)]])


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
    event = await _event_for(context, caller, int(dialog.data.get("event_id") or 0))
    if isinstance(event, str):
        if update.effective_message is not None:
            await update.effective_message.reply_text(event)
        return
    if screens.unsent(dialog):
        # The officer never saw this step's prompt: the text answers an older one.
        await steps.draw(update, context, caller, dialog, screen, new=True)
        return
    text = update.effective_message.text if update.effective_message else None
    await _TAKE[dialog.step](update, context, caller, dialog, event, text)


async def _warn(update: Update, context: BotContext, caller: Caller, problem: Problem) -> None:
    """Explain what is wrong with the text; the step stays."""
    await send(update, context, "⚠️ " + problem.render(caller._))


async def _take_start(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, event: Event,
    text: str | None,
) -> None:  # fmt: skip
    """The new start; then ask for the end."""
    now = context.clock.time()
    start = rules.parse_when(text, zone(context), now)
    problem = start if isinstance(start, Problem) else rules.check_start(start, now)
    if problem is not None or not isinstance(start, float):
        await _warn(update, context, caller, problem or Problem(""))
        return
    dialog.step, dialog.data["starts_at"] = "time_end", start
    await steps.advance(update, context, caller, dialog, screen, new=True)


async def _take_end(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, event: Event,
    text: str | None,
) -> None:  # fmt: skip
    """The new end; then move the event."""
    start = float(dialog.data["starts_at"])
    end = rules.parse_when(text, zone(context), context.clock.time(), day_of=start)
    problem = end if isinstance(end, Problem) else rules.check_end(end, start)
    if problem is not None or not isinstance(end, float):
        await _warn(update, context, caller, problem or Problem(""))
        return
    await _reschedule(update, context, caller, event, start, end)


async def _take_place(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, event: Event,
    text: str | None,
) -> None:  # fmt: skip
    """The new place (audited in storage); everyone with a place is told."""
    place = clean_text(text, rules.MAX_PLACE)
    if isinstance(place, Problem):
        await _warn(update, context, caller, place)
        return
    moved = await officer.move(
        context.db, caller.member.id, event.id, place, context.clock.time(),
        caller.member.telegram_id,
    )  # fmt: skip
    if moved is not None:
        await tell.changed(context, moved, N_("✏️ <b>Changed</b>: {title} has a new place."))
        note = caller._("✅ The place was changed and everyone signed up was told.")
        await show_manage(update, context, caller, moved, note)


async def _take_name(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, event: Event,
    text: str | None,
) -> None:  # fmt: skip
    """A name or number to look up in the audience."""
    await _matches(update, context, caller, event, text)


#: How each step takes its text.
_TAKE = {"time": _take_start, "time_end": _take_end, "place": _take_place, "add": _take_name}


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
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args, over: bool
) -> str | None:
    """Confirm a member by hand (audited in storage); above capacity only after asking."""
    _ = caller._
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


async def pick(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Add the member the officer picked."""
    return await _add(update, context, caller, event, args, over=False)


async def add_over(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Add the member above the number of seats, as the officer confirmed."""
    return await _add(update, context, caller, event, args, over=True)


def _begins(step: str) -> Step[Event]:
    """The button that opens the typed dialog for `step`."""

    async def begin(
        update: Update, context: BotContext, caller: Caller, event: Event, args: Args
    ) -> str | None:
        dialog = Dialog(KIND, step, {"event_id": event.id})
        await steps.advance(update, context, caller, dialog, screen)
        return None

    begin.__doc__ = f"Open the typed dialog for step {step!r}."
    return begin


for _step in ("time", "place", "add"):
    routes.add(Action(_step, with_loaded(_event_for, _begins(_step)), "officer", (int,)))
routes.add(Action("pick", with_loaded(_event_for, pick), "officer", (int, int)))
routes.add(Action("over", with_loaded(_event_for, add_over), "officer", (int, int)))

DIALOG = DialogRoute(on_text=on_text, cancel_note=N_("The event was not changed."))
