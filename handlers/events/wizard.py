"""Officers create an event step by step in chat; preview, then publish to the audience."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.i18n import N_, format_when, raw
from bot.services import BotContext
from handlers.common import Caller, answer, refuse, send, show
from handlers.events import notify as tell
from handlers.events import rules, steps
from handlers.events.views import NOT_ALLOWED, officer_routes, wizard_routes, zone
from handlers.events.wizard_view import STEPS, draft_event, step_screen
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute
from handlers.routing import STALE, Action, Args, Spec, Word
from handlers.validation import Problem, clean_text
from storage import dialogs, roles
from storage.dialogs import Dialog
from storage.events import NewEvent, officer, screens

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


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take typed input for the current step; a problem is explained and the step stays."""
    _ = caller._
    if not caller.is_officer:
        await dialogs.clear(context.db, caller.member.telegram_id)
        await refuse(update, caller)
        return
    if screens.unsent(dialog):
        # The member never saw this step's prompt: the text answers an older one.
        await _again(update, context, caller, dialog)
        return
    text = update.effective_message.text if update.effective_message else None
    step, data, tz, now = dialog.step, dialog.data, zone(context), context.clock.time()
    result: object
    if step in ("title", "desc", "place"):
        limit = {"title": rules.MAX_TITLE, "desc": rules.MAX_DESCRIPTION, "place": rules.MAX_PLACE}[
            step
        ]
        result = clean_text(text, limit)
        if not isinstance(result, Problem):
            data[{"title": "title", "desc": "description", "place": "place"}[step]] = result
    elif step == "start":
        result = rules.parse_when(text, tz, now)
        if isinstance(result, float):
            result = rules.check_start(result, now) or result
        if isinstance(result, float):
            data["starts_at"] = result
    elif step == "end":
        result = rules.parse_when(text, tz, now, day_of=float(data["starts_at"]))
        if isinstance(result, float):
            result = rules.check_end(result, float(data["starts_at"])) or result
        if isinstance(result, float):
            data["ends_at"] = result
    elif step == "cap":
        result = rules.parse_capacity(text)
        if isinstance(result, int):
            data["capacity"] = result
    elif step == "deadline":
        result = rules.parse_when(text, tz, now)
        if isinstance(result, float):
            result = rules.check_deadline(result, float(data["starts_at"]), now) or result
        if isinstance(result, float):
            data["deadline"] = result
    else:
        await send(update, context, _("Please use the buttons of this step."))
        await _render(update, context, caller, dialog)
        return
    if isinstance(result, Problem):
        await send(update, context, "⚠️ " + result.render(_))
        return
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


async def new(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Open a fresh wizard from the officer's event list."""
    await start(update, context, caller)
    return None


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
    db, now, d = context.db, context.clock.time(), dialog.data
    draft = draft_event(d)
    problem = rules.check_draft(
        draft.starts_at, draft.ends_at, draft.signup_deadline, draft.capacity, now
    )
    if problem is not None:
        await answer(update, problem.render(_), alert=True)
        dialog.step = "start"
        await _render(update, context, caller, dialog)
        return None
    new = NewEvent(
        title=draft.title,
        description=draft.description,
        category=draft.category,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        place=draft.place,
        capacity=draft.capacity,
        signup_deadline=draft.signup_deadline,
        unit_ids=draft.unit_ids,
        reminders=draft.reminders,
        photo_file_id=draft.photo_file_id,
    )
    try:
        event = await officer.publish(db, caller.member.id, new, now, caller.member.telegram_id)
    except officer.NotAllowed:
        return _(NOT_ALLOWED)
    await answer(update, _("Published."))
    await show(
        update,
        context,
        _(
            "✅ <b>Published</b>: {title}, {when}.\nThe audience is being told now.",
            title=event.title,
            when=raw(format_when(event.starts_at, _.locale, zone(context))),
        ),
        keyboard([[button(_("⚙️ Manage this event"), officer_routes.data("open", event.id))]]),
    )
    told = await tell.published(context, event)
    await send(
        update,
        context,
        _("📣 {count} members were told about {title}.", count=told, title=event.title),
    )
    return None


routes.add(Action("new", new, "officer", ()))
routes.add(Action("quit", discard, "officer", ()))
routes.add(Action("pub", publish, "officer", ()))

DIALOG = DialogRoute(
    on_text=on_text,
    on_media=on_media,
    reprompt=reprompt,
    cancel_note=N_("The event draft was discarded."),
)
