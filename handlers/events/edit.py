"""Officers change an event's time or place, or add a member by hand (typed dialogs)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, decode, get_caller, refuse, send, show, stale
from handlers.events import notify as tell
from handlers.events import rules
from handlers.events.officer import show_manage
from handlers.events.views import NS_EDIT, NS_OFFICER, can_manage_event, zone
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute, Registry
from handlers.unit_picker import UnitTree
from handlers.validation import Problem, clean_text
from storage import audit, dialogs, members
from storage.dialogs import Dialog
from storage.events import Event, Outcome, commands, places, queries

NS = NS_EDIT
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
    back = cb(
        NS_OFFICER, "att" if step == "add" else "open", event.id, *([0] if step == "add" else [])
    )
    await show(update, context, prompt, keyboard([[button(_("⬅ Back"), back)]]))


async def _event_for(
    update: Update, context: BotContext, caller: Caller, event_id: int
) -> Event | None:
    """The event if the caller may still manage it (re-checked on typed input too)."""
    event = await queries.get(context.db, event_id)
    if event is None or not event.published:
        await dialogs.clear(context.db, caller.member.telegram_id)
        await stale(update, caller)
        return None
    if not caller.is_officer or not await can_manage_event(context.db, caller.member.id, event):
        await dialogs.clear(context.db, caller.member.telegram_id)
        await refuse(update, caller)
        return None
    return event


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """New start, new end, new place, or a name to add."""
    _ = caller._
    event = await _event_for(update, context, caller, int(dialog.data.get("event_id") or 0))
    if event is None:
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
        async with db.transaction() as tx:
            moved = await commands.set_place(tx, event.id, place, now)
            await audit.record(
                tx,
                caller.member.id,
                "event_place",
                now,
                target_type="event",
                target_id=event.id,
                details={"place": place},
            )
            await dialogs.clear(tx, caller.member.telegram_id)
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
    async with db.transaction() as tx:
        moved = await commands.reschedule(tx, event.id, start, end, now)
        await audit.record(
            tx,
            caller.member.id,
            "event_time",
            now,
            target_type="event",
            target_id=event.id,
            details={"starts_at": start, "ends_at": end},
        )
        await dialogs.clear(tx, caller.member.telegram_id)
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
                [button(f"{member.name} · {unit}"[:60], cb(NS, "pick", event.id, member_id))]
            )
    layout.append([button(_("⬅ Back"), cb(NS_OFFICER, "att", event.id, 0))])
    await send(update, context, _("Who do you want to add?"), keyboard(layout))


async def _add(
    update: Update, context: BotContext, caller: Caller, event: Event, member_id: int, over: bool
) -> None:
    """Confirm a member by hand; above capacity only after asking."""
    _ = caller._
    db, now = context.db, context.clock.time()
    async with db.transaction() as tx:
        result = await places.add_by_officer(
            tx, event.id, member_id, caller.member.id, now, over=over
        )
        if result.outcome is Outcome.CONFIRMED:
            await audit.record(
                tx,
                caller.member.id,
                "event_add",
                now,
                target_type="event",
                target_id=event.id,
                details={"member_id": member_id, "over": over},
            )
            await dialogs.clear(tx, caller.member.telegram_id)
    member = await members.by_id(db, member_id)
    name = member.name if member else "?"
    if result.outcome is Outcome.FULL:
        await answer(update)
        await show(
            update,
            context,
            _(
                "{title} is full. Add {name} anyway, above the number of seats?",
                title=event.title,
                name=name,
            ),
            keyboard(
                [
                    [button(_("➕ Add anyway"), cb(NS, "over", event.id, member_id))],
                    [button(_("⬅ Back"), cb(NS_OFFICER, "att", event.id, 0))],
                ]
            ),
        )
        return
    if result.outcome is Outcome.ALREADY:
        await answer(update, _("{name} is already signed up.", name=name), alert=True)
        return
    if result.outcome is not Outcome.CONFIRMED:
        await answer(update, _("That member cannot be added to this event."), alert=True)
        return
    await answer(update, _("Added."))
    await tell.added(context, event, member_id)
    await show(
        update,
        context,
        _("✅ {name} is signed up for {title}.", name=name, title=event.title),
        keyboard([[button(_("👥 Attendees"), cb(NS_OFFICER, "att", event.id, 0))]]),
    )


async def on_button(update: Update, context: BotContext) -> None:
    """Start an edit, or pick the member to add; scope checked on every press."""
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    event_id = data.int_arg(0) if data is not None else None
    if data is None or event_id is None:
        await stale(update, caller)
        return
    event = await _event_for(update, context, caller, event_id)
    if event is None:
        return
    if data.action in ("time", "place", "add"):
        await answer(update)
        await _begin(update, context, caller, event, data.action)
    elif data.action in ("pick", "over") and data.int_arg(1) is not None:
        await _add(update, context, caller, event, data.int_arg(1) or 0, data.action == "over")
    else:
        await stale(update, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Add the edit buttons and their typed dialog."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(
        KIND, DialogRoute(on_text=on_text, cancel_note=N_("The event was not changed."))
    )
