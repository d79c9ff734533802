"""Officers create an event step by step in chat; preview, then publish to the audience."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, format_when, raw
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, decode, get_caller, refuse, send, show, stale
from handlers.events import notify as tell
from handlers.events import rules
from handlers.events.views import NS_OFFICER, NS_WIZARD, zone
from handlers.events.wizard_view import STEPS, draft_event, step_screen
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute, Registry
from handlers.validation import Problem, clean_text
from storage import audit, dialogs, roles
from storage.dialogs import Dialog
from storage.events import NewEvent, commands

NS = NS_WIZARD
KIND = "event_new"


async def _render(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step and remember it (the dialog lives in SQLite)."""
    text, markup = await step_screen(context, caller, dialog)
    msg = await show(update, context, text, markup)
    if msg is not None:
        dialog.message_id = msg.message_id
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())


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
    if dialog.step != "photo" or message is None or not message.photo:
        await send(update, context, caller._("Please send a photo, or press Skip."))
        return
    dialog.data["photo"] = message.photo[-1].file_id
    _next(dialog)
    await _render(update, context, caller, dialog)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again."""
    await _render(update, context, caller, dialog)


#: Which step each button belongs to: a press from an older screen is stale.
_STEP_OF = {
    "skip": ("desc", "photo"),
    "cat": ("cat",),
    "nolimit": ("cap",),
    "dl": ("deadline",),
    "u": ("units",),
    "up": ("units",),
    "uok": ("units",),
    "rem": ("remind",),
    "remok": ("remind",),
    "pub": ("preview",),
}


async def on_button(update: Update, context: BotContext) -> None:
    """Wizard buttons; officers only, the dialog's step checked on every press."""
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    if not caller.is_officer:
        await refuse(update, caller)
        return
    if data is not None and data.action == "new":
        await answer(update)
        await start(update, context, caller)
        return
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    if (
        data is None
        or dialog is None
        or dialog.kind != KIND
        or (data.action in _STEP_OF and dialog.step not in _STEP_OF[data.action])
    ):
        await stale(update, caller)
        return
    _ = caller._
    d = dialog.data
    if data.action == "quit":
        await answer(update)
        await dialogs.clear(context.db, caller.member.telegram_id)
        await show(
            update,
            context,
            _("The draft was discarded."),
            keyboard([[button(_("⬅ Back"), cb(NS_OFFICER, "list"))]]),
        )
        return
    if data.action == "back":
        dialog.step = STEPS[max(STEPS.index(dialog.step) - 1, 0)]
    elif data.action == "skip":
        d["description" if dialog.step == "desc" else "photo"] = (
            "" if dialog.step == "desc" else None
        )
        _next(dialog)
    elif data.action == "cat" and data.args and data.args[0] in rules.CATEGORIES:
        d["category"] = data.args[0]
        _next(dialog)
    elif data.action == "nolimit":
        d["capacity"] = None
        _next(dialog)
    elif data.action == "dl" and data.int_arg(0) in rules.DEADLINE_CHOICES:
        deadline = float(d["starts_at"]) - (data.int_arg(0) or 0)
        problem = rules.check_deadline(deadline, float(d["starts_at"]), context.clock.time())
        if problem is not None:
            await answer(update, problem.render(_), alert=True)
            return
        d["deadline"] = deadline
        _next(dialog)
    elif data.action in ("u", "up"):
        if not await _toggle_unit(context, caller, dialog, data.action, data.int_arg(0)):
            await stale(update, caller)
            return
    elif data.action == "uok":
        if not d.get("units"):
            await answer(update, _("Please choose at least one unit."), alert=True)
            return
        _next(dialog)
    elif data.action == "rem" and data.int_arg(0) in rules.REMINDER_CHOICES:
        chosen = set(d.get("reminders", [])) ^ {data.int_arg(0)}
        d["reminders"] = sorted(chosen, reverse=True)
    elif data.action == "remok":
        _next(dialog)
    elif data.action == "pub":
        await _publish(update, context, caller, dialog)
        return
    else:
        await stale(update, caller)
        return
    await answer(update)
    await _render(update, context, caller, dialog)


async def _toggle_unit(
    context: BotContext, caller: Caller, dialog: Dialog, action: str, value: int | None
) -> bool:
    """Toggle a unit in scope, or turn the page; False for forged data."""
    if value is None:
        return False
    if action == "up":
        dialog.data["page"] = value
        return True
    if not await roles.can_manage(context.db, caller.member.id, value):
        return False
    chosen = set(dialog.data.get("units", [])) ^ {value}
    dialog.data["units"] = sorted(chosen)
    return True


async def _publish(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Check everything again (time passed, scope may have changed), create, tell the audience."""
    _ = caller._
    db, now, d = context.db, context.clock.time(), dialog.data
    draft = draft_event(d)
    problem = rules.check_draft(
        draft.starts_at, draft.ends_at, draft.signup_deadline, draft.capacity, now
    )
    if problem is not None:
        await answer(update, problem.render(_), alert=True)
        dialog.step = "start"
        await _render(update, context, caller, dialog)
        return
    for unit_id in draft.unit_ids:
        if not await roles.can_manage(db, caller.member.id, unit_id):
            await refuse(update, caller)
            return
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
    async with db.transaction() as tx:
        event = await commands.create(tx, new, caller.member.id, now)
        await audit.record(
            tx,
            caller.member.id,
            "event_create",
            now,
            target_type="event",
            target_id=event.id,
            details={"title": event.title, "units": list(event.unit_ids)},
        )
        await dialogs.clear(tx, caller.member.telegram_id)
    await answer(update, _("Published."))
    await show(
        update,
        context,
        _(
            "✅ <b>Published</b>: {title}, {when}.\nThe audience is being told now.",
            title=event.title,
            when=raw(format_when(event.starts_at, _.locale, zone(context))),
        ),
        keyboard([[button(_("⚙️ Manage this event"), cb(NS_OFFICER, "open", event.id))]]),
    )
    told = await tell.published(context, event)
    await send(
        update,
        context,
        _("📣 {count} members were told about {title}.", count=told, title=event.title),
    )


def register(app: BotApp, registry: Registry) -> None:
    """Add the wizard's buttons and its dialog."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(
        KIND,
        DialogRoute(
            on_text=on_text,
            on_media=on_media,
            reprompt=reprompt,
            cancel_note=N_("The event draft was discarded."),
        ),
    )
