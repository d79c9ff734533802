"""Officers create an event step by step in chat; preview, then publish to the audience."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update

from bot.i18n import N_, format_when, raw
from bot.services import BotContext
from handlers.common import NOT_ALLOWED, Caller, answer, drawn, refuse_dialog, send, show
from handlers.events import notify as tell
from handlers.events import rules, steps
from handlers.events.views import officer_routes, wizard_routes, zone
from handlers.events.wizard_view import STEPS, new_event, step_screen
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute
from handlers.routing import STALE, Action, Args, Spec, Word
from handlers.validation import Problem, clean_text
from storage import dialogs, roles
from storage.dialogs import Dialog
from storage.events import Event, officer, screens

routes = wizard_routes
KIND = "event_new"


#: The screen of the wizard's current step (start-up recovery draws it too).
screen = step_screen


async def _render(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Store the step the dialog moved to (it lives in SQLite), then show it."""
    await steps.advance(update, context, caller, dialog, step_screen)


async def _again(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again, changing nothing (input meant for an older screen)."""
    await steps.draw(update, context, caller, dialog, step_screen)


def _next(dialog: Dialog) -> None:
    """Move to the following step."""
    dialog.step = STEPS[min(STEPS.index(dialog.step) + 1, len(STEPS) - 1)]


async def start(update: Update, context: BotContext, caller: Caller) -> None:
    """Open a fresh wizard (called from the officer's event list)."""
    dialog = Dialog(KIND, "title", {"reminders": list(rules.DEFAULT_REMINDERS), "units": []})
    await _render(update, context, caller, dialog)


#: A typed answer read for its step: (the draft's key, the value), or what is wrong with it.
Parsed = tuple[str, object] | Problem
Parser = Callable[[str | None, dict[str, Any], ZoneInfo, float], Parsed]


def _text_field(key: str, limit: int) -> Parser:
    """A free-text step (title, description, place) of at most `limit` characters."""

    def parse(text: str | None, data: dict[str, Any], tz: ZoneInfo, now: float) -> Parsed:
        value = clean_text(text, limit)
        return value if isinstance(value, Problem) else (key, value)

    return parse


def _start(text: str | None, data: dict[str, Any], tz: ZoneInfo, now: float) -> Parsed:
    """When it starts: in the future."""
    when = rules.parse_when(text, tz, now)
    problem = when if isinstance(when, Problem) else rules.check_start(when, now)
    return problem if problem is not None else ("starts_at", when)


def _end(text: str | None, data: dict[str, Any], tz: ZoneInfo, now: float) -> Parsed:
    """When it ends: a time on the start's day, or a date and time, after the start."""
    start = float(data["starts_at"])
    when = rules.parse_when(text, tz, now, day_of=start)
    problem = when if isinstance(when, Problem) else rules.check_end(when, start)
    return problem if problem is not None else ("ends_at", when)


def _capacity(text: str | None, data: dict[str, Any], tz: ZoneInfo, now: float) -> Parsed:
    """How many seats."""
    seats = rules.parse_capacity(text)
    return seats if isinstance(seats, Problem) else ("capacity", seats)


def _typed_deadline(text: str | None, data: dict[str, Any], tz: ZoneInfo, now: float) -> Parsed:
    """A typed sign-up deadline: before the start, not in the past."""
    when = rules.parse_when(text, tz, now)
    problem = (
        when
        if isinstance(when, Problem)
        else rules.check_deadline(when, float(data["starts_at"]), now)
    )
    return problem if problem is not None else ("deadline", when)


#: The steps that take typed text; the others take buttons (or a photo).
_PARSE: dict[str, Parser] = {
    "title": _text_field("title", rules.MAX_TITLE),
    "desc": _text_field("description", rules.MAX_DESCRIPTION),
    "place": _text_field("place", rules.MAX_PLACE),
    "start": _start,
    "end": _end,
    "cap": _capacity,
    "deadline": _typed_deadline,
}


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take typed input for the current step; a problem is explained and the step stays."""
    _ = caller._
    if not caller.is_officer:
        await refuse_dialog(update, context, caller)
        return
    parse = _PARSE.get(dialog.step)
    if screens.unsent(dialog) or parse is None:
        # A step of buttons, or one whose prompt the officer never saw: draw it again.
        if parse is None:
            await send(update, context, _("Please use the buttons of this step."))
        await _again(update, context, caller, dialog)
        return
    text = update.effective_message.text if update.effective_message else None
    parsed = parse(text, dialog.data, zone(context), context.clock.time())
    if isinstance(parsed, Problem):
        await send(update, context, "⚠️ " + parsed.render(_))
        return
    key, value = parsed
    dialog.data[key] = value
    _next(dialog)
    await _render(update, context, caller, dialog)


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the photo on the photo step."""
    message = update.effective_message
    if screens.unsent(dialog):
        await _again(update, context, caller, dialog)
        return
    if dialog.step != "photo" or message is None or not message.photo:
        await send(update, context, caller._("Please send a photo, or press Skip."))
        return
    dialog.data["photo"] = message.photo[-1].file_id
    _next(dialog)
    await _render(update, context, caller, dialog)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again."""
    await _render(update, context, caller, dialog)


#: A wizard button's work on the open draft: None moves the screen on (it is drawn again),
#: a text is an alert and the step stays as it was.
StepWork = Callable[[BotContext, Caller, Dialog, Args], Awaitable[str | None]]


def _step_button(
    name: str, on_steps: tuple[str, ...], args: tuple[Spec, ...] = ()
) -> Callable[[StepWork], StepWork]:
    """Declare a button of the steps `on_steps`; a press from another step's screen redraws."""

    def declare(work: StepWork) -> StepWork:
        async def press(update: Update, context: BotContext, caller: Caller, a: Args) -> str | None:
            dialog = await _draft(context, caller)
            if dialog is None:
                return caller._(STALE)
            if (on_steps and dialog.step not in on_steps) or screens.unsent(dialog):
                # A button of a step already answered: the current step is drawn again.
                await _again(update, context, caller, dialog)
                return None
            alert = await work(context, caller, dialog, a)
            if alert is None:
                await _render(update, context, caller, dialog)
            return alert

        press.__doc__ = work.__doc__
        routes.add(Action(name, press, "officer", args))
        return work

    return declare


async def _draft(context: BotContext, caller: Caller) -> Dialog | None:
    """The officer's open wizard, or None."""
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    return dialog if dialog is not None and dialog.kind == KIND else None


async def discard(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Throw the draft away."""
    _ = caller._
    if await _draft(context, caller) is None:
        return _(STALE)
    await dialogs.clear(context.db, caller.member.telegram_id)
    back = button(_("⬅ Back"), officer_routes.data("list"))
    await show(update, context, _("The draft was discarded."), keyboard([[back]]))
    return None


@_step_button("back", ())
async def _back(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """One step back."""
    dialog.step = STEPS[max(STEPS.index(dialog.step) - 1, 0)]
    return None


@_step_button("skip", ("desc", "photo"))
async def _skip(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """No description, or no photo."""
    if dialog.step == "desc":
        dialog.data["description"] = ""
    else:
        dialog.data["photo"] = None
    _next(dialog)
    return None


@_step_button("cat", ("cat",), (Word(choices=rules.CATEGORIES),))
async def _category(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """The event's category."""
    dialog.data["category"] = args.word(0)
    _next(dialog)
    return None


@_step_button("nolimit", ("cap",))
async def _no_limit(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """No seat limit."""
    dialog.data["capacity"] = None
    _next(dialog)
    return None


@_step_button("dl", ("deadline",), (int,))
async def _deadline(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """A sign-up deadline some time before the start."""
    if args.num(0) not in rules.DEADLINE_CHOICES:
        return caller._(STALE)
    starts_at = float(dialog.data["starts_at"])
    deadline = starts_at - args.num(0)
    problem = rules.check_deadline(deadline, starts_at, context.clock.time())
    if problem is not None:
        return problem.render(caller._)
    dialog.data["deadline"] = deadline
    _next(dialog)
    return None


@_step_button("u", ("units",), (int,))
async def _unit(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """Toggle a unit in the officer's scope (one outside it is a forged press)."""
    if not await roles.can_manage(context.db, caller.member.id, args.num(0)):
        return caller._(STALE)
    dialog.data["units"] = sorted(set(dialog.data.get("units", [])) ^ {args.num(0)})
    return None


@_step_button("up", ("units",), (int,))
async def _unit_page(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """Turn the page of the unit list."""
    dialog.data["page"] = args.num(0)
    return None


@_step_button("uok", ("units",))
async def _units_done(
    context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """The audience is chosen."""
    if not dialog.data.get("units"):
        return caller._("Please choose at least one unit.")
    _next(dialog)
    return None


@_step_button("rem", ("remind",), (int,))
async def _reminder(context: BotContext, caller: Caller, dialog: Dialog, args: Args) -> str | None:
    """Toggle one reminder time."""
    if args.num(0) not in rules.REMINDER_CHOICES:
        return caller._(STALE)
    chosen = set(dialog.data.get("reminders", [])) ^ {args.num(0)}
    dialog.data["reminders"] = sorted(chosen, reverse=True)
    return None


@_step_button("remok", ("remind",))
async def _reminders_done(
    context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """The reminders are chosen."""
    _next(dialog)
    return None


async def publish(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Check everything again (time passed, scope may have changed), create, tell the audience."""
    _ = caller._
    dialog = await _draft(context, caller)
    if dialog is None:
        return _(STALE)
    if dialog.step != "preview" or screens.unsent(dialog):
        await _again(update, context, caller, dialog)
        return None
    now, new = context.clock.time(), new_event(dialog.data)
    problem = rules.check_draft(new.starts_at, new.ends_at, new.signup_deadline, new.capacity, now)
    if problem is not None:
        await answer(update, problem.render(_), alert=True)
        dialog.step = "start"
        await _render(update, context, caller, dialog)
        return None
    try:
        event = await officer.publish(
            context.db, caller.member.id, new, now, caller.member.telegram_id
        )
    except officer.NotAllowed:
        return _(NOT_ALLOWED)
    await answer(update, _("Published."))
    await _published(update, context, caller, event)
    return None


async def _published(update: Update, context: BotContext, caller: Caller, event: Event) -> None:
    """Say it is published, tell the audience, then say how many were told."""
    _ = caller._
    text = _(
        "✅ <b>Published</b>: {title}, {when}.\nThe audience is being told now.",
        title=event.title,
        when=raw(format_when(event.starts_at, _.locale, zone(context))),
    )
    manage = button(_("⚙️ Manage this event"), officer_routes.data("open", event.id))
    await show(update, context, text, keyboard([[manage]]))
    told = await tell.published(context, event)
    told_text = _("📣 {count} members were told about {title}.", count=told, title=event.title)
    await send(update, context, told_text)


routes.add(Action("new", drawn(start), "officer", ()))
routes.add(Action("quit", discard, "officer", ()))
routes.add(Action("pub", publish, "officer", ()))

DIALOG = DialogRoute(
    on_text=on_text,
    on_media=on_media,
    reprompt=reprompt,
    cancel_note=N_("The event draft was discarded."),
)
