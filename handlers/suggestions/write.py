"""Members compose a suggestion or a question to the union (the hotline).

Steps: category, anonymous or named (suggestions only), text, up to three
photos, confirm. The draft is dialog state like every wizard, but sealed.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.i18n import N_, format_day
from bot.sealing import Sealer
from bot.services import BotApp, BotContext
from handlers.common import Caller, get_caller, refuse, send, show
from handlers.keyboards import button, cb, keyboard
from handlers.menu import HOME, send_menu
from handlers.registry import CommandEntry, DialogRoute, MenuEntry, Registry
from handlers.routing import STALE, Args, Word
from handlers.suggestions import write_screens as screens
from handlers.suggestions.views import (
    CLOSED_BOX,
    DAILY_LIMIT,
    MINE_NS,
    PAUSED,
    load_sealed,
    save_sealed,
    sealer_of,
    tell_officers,
    typed_body,
)
from handlers.suggestions.write_screens import routes
from storage import dialog_screens, dialogs, suggestions
from storage.dialogs import Dialog
from storage.suggestions import MAX_PHOTOS, Draft, Suggestion, commands

KIND = "suggest"
#: Telegram's limit for a photo a bot sends: bigger ones could not be shown to officers.
MAX_PHOTO_BYTES = 10 * 1024 * 1024


async def _go(
    update: Update,
    context: BotContext,
    caller: Caller,
    sealer: Sealer,
    step: str,
    state: dict[str, Any],
) -> None:
    """Store the step, then draw it: a crash in between is redrawn (dialog_recover)."""
    await save_sealed(context, caller, sealer, KIND, step, state, due=True)
    msg = await show(update, context, *screens.for_step(context, caller, step, state))
    await dialog_screens.drawn(
        context.db, caller.member.telegram_id, msg.message_id if msg is not None else None
    )


async def _start(
    update: Update, context: BotContext, caller: Caller, sealer: Sealer, kind: str
) -> None:
    _ = caller._
    now, tz = context.clock.time(), context.settings.tz
    if caller.member.unit_id is None:
        await show(update, context, _("Please set your unit in /profile first."))
        return
    sent = [
        await suggestions.sent_today(context.db, sealer, caller.member.id, now, tz, anonymous=a)
        for a in (False, True)
    ]
    # Each kind has its own limit (they share no count): refuse only when both are used up.
    if min(sent[0], sent[1] if kind == "suggestion" else sent[0]) >= suggestions.DAILY_LIMIT:
        home = keyboard([[button(_("🏠 Main menu"), HOME)]])
        await show(update, context, _(DAILY_LIMIT, count=suggestions.DAILY_LIMIT), home)
        return
    await _go(update, context, caller, sealer, "cat", {"k": kind})


async def _submit(
    update: Update, context: BotContext, caller: Caller, sealer: Sealer, state: dict[str, Any]
) -> None:
    _ = caller._
    settings, now = context.settings, context.clock.time()
    draft = Draft(state["k"], state["c"], bool(state.get("a")), state["t"], tuple(state["p"]))
    result = await commands.submit(
        context.db, sealer, caller.member.telegram_id, caller.member.id,
        caller.member.unit_id or 0, draft, now=now, tz=settings.tz,
        digest_times=settings.anonymous_digest_times, threshold=settings.anonymity_threshold,
    )  # fmt: skip
    if result == "muted":
        await show(update, context, *screens.anonymity(caller, _(PAUSED)))
        return
    if result == "limit":
        await show(update, context, _(DAILY_LIMIT, count=suggestions.DAILY_LIMIT))
        return
    assert isinstance(result, Suggestion)
    due = format_day(result.due_at - 1, caller.locale, settings.tz)
    lines = [
        _("✅ <b>Sent.</b> Your reference code: <b>{ref}</b>", ref=result.ref),
        _("The union will answer by {day}. Replies arrive here and in “My suggestions”.", day=due),
    ]
    if result.anonymous:
        lines.append(_("It was sent anonymously: officers cannot see who you are."))
    await show(update, context, _("Thank you!"))
    markup = keyboard(
        [
            [button(_("📬 My suggestions"), cb(MINE_NS, "mine", 0))],
            [button(_("🏠 Main menu"), HOME)],
        ]
    )
    await send(update, context, "\n".join(lines), markup)
    if not result.anonymous:
        await tell_officers(
            context,
            result,
            N_("New from {name}:\n{text}"),
            name=caller.member.name or "",
            text=result.body[:500],
        )


@routes.action("new", args=(Word(choices=("s", "h")),), optional=1)
async def on_new(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Start a suggestion (s) or a question to the hotline (h)."""
    sealer = sealer_of(context)
    if sealer is None:
        return caller._(CLOSED_BOX)
    kind = "hotline" if args.get(0) == "h" else "suggestion"
    await _start(update, context, caller, sealer, kind)
    return None


@routes.action("x")
async def on_cancel(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Drop the draft."""
    _ = caller._
    if sealer_of(context) is None:
        return _(CLOSED_BOX)
    await dialogs.clear(context.db, caller.member.telegram_id)
    await show(update, context, _("Cancelled. Nothing was sent."))
    await send_menu(update, context, caller)
    return None


async def _draft(context: BotContext, caller: Caller) -> tuple[Sealer, dict[str, Any]] | str:
    """The sealer and the unsealed draft; else why the press cannot go on."""
    sealer = sealer_of(context)
    if sealer is None:
        return caller._(CLOSED_BOX)
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    state = load_sealed(caller, sealer, dialog) if dialog and dialog.kind == KIND else None
    if state is None:
        return caller._(STALE)
    return sealer, state


@routes.action("cat", args=(int,))
async def on_category(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Take the category; then anonymous or named (suggestions) or the text (hotline)."""
    found = await _draft(context, caller)
    categories = context.settings.suggestion_categories
    if isinstance(found, str) or not 0 <= args.num(0) < len(categories):
        return found if isinstance(found, str) else caller._(STALE)
    sealer, state = found
    state["c"] = categories[args.num(0)]
    if state["k"] == "hotline":
        state["a"] = False  # questions to the hotline are always named
        await _go(update, context, caller, sealer, "text", state)
    else:
        await _go(update, context, caller, sealer, "anon", state)
    return None


@routes.action("anon", args=(int,))
async def on_anonymity(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Anonymous (1) or named (0); back to the check screen when the text is written."""
    found = await _draft(context, caller)
    if isinstance(found, str):
        return found
    sealer, state = found
    if "c" not in state or state["k"] != "suggestion":
        return caller._(STALE)
    anonymous = args.num(0) == 1
    if anonymous and await suggestions.is_muted(context.db, sealer, caller.member.id):
        await show(update, context, *screens.anonymity(caller, caller._(PAUSED)))
        return None
    state["a"] = anonymous
    if "t" in state:  # back here after a refusal at sending: keep the text
        await _go(update, context, caller, sealer, "confirm", state)
        return None
    await _go(update, context, caller, sealer, "text", state)
    return None


@routes.action("edit")
async def on_edit(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Write the text again."""
    found = await _draft(context, caller)
    if isinstance(found, str) or "a" not in found[1]:
        return found if isinstance(found, str) else caller._(STALE)
    await _go(update, context, caller, found[0], "text", found[1])
    return None


@routes.action("go")
async def on_continue(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Done adding photos: the check screen."""
    found = await _draft(context, caller)
    if isinstance(found, str) or "t" not in found[1]:
        return found if isinstance(found, str) else caller._(STALE)
    await _go(update, context, caller, found[0], "confirm", found[1])
    return None


@routes.action("send")
async def on_send(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the suggestion."""
    found = await _draft(context, caller)
    if isinstance(found, str) or "t" not in found[1]:
        return found if isinstance(found, str) else caller._(STALE)
    await _submit(update, context, caller, found[0], found[1])
    return None


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the text of the suggestion (the only typed step)."""
    _ = caller._
    sealer = sealer_of(context)
    state = load_sealed(caller, sealer, dialog)
    if sealer is None or state is None:
        await dialogs.clear(context.db, caller.member.telegram_id)
        await send(update, context, _("This dialog expired. Please start again from the menu."))
        return
    if dialog_screens.is_due(dialog):
        # The prompt of this step never came: the text answers an earlier one. Show the step.
        await reprompt(update, context, caller, dialog)
        return
    if dialog.step != "text":
        await send(update, context, _("Please use the buttons above, or /cancel to stop."))
        await reprompt(update, context, caller, dialog)
        return
    text = await typed_body(update, context, caller)
    if text is None:
        return
    state["t"], state["p"] = text, state.get("p", [])
    await _go(update, context, caller, sealer, "photos", state)


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take photos in the photo step; refuse anything else with the reason."""
    _ = caller._
    sealer = sealer_of(context)
    state = load_sealed(caller, sealer, dialog)
    message = update.effective_message
    if sealer is None or state is None or message is None:
        await dialogs.clear(context.db, caller.member.telegram_id)
        return
    if dialog_screens.is_due(dialog):
        await reprompt(update, context, caller, dialog)
        return
    if dialog.step != "photos":
        await send(update, context, _("Please send text for this step, or /cancel to stop."))
        await reprompt(update, context, caller, dialog)
        return
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        # Files keep their metadata (such as where a picture was taken); photos do not.
        await send(update, context, _("Please send pictures as photos, not as files."))
        return
    if not message.photo:
        await send(update, context, _("Only photos can be added here. Send one or press Continue."))
        return
    largest = message.photo[-1]
    if (largest.file_size or 0) > MAX_PHOTO_BYTES:
        await send(
            update, context, _("This photo is larger than 10 MB. Please send a smaller one.")
        )
        return
    state["p"] = [*state.get("p", []), largest.file_id][:MAX_PHOTOS]
    if len(state["p"]) >= MAX_PHOTOS:
        await _go(update, context, caller, sealer, "confirm", state)
        return
    await _go(update, context, caller, sealer, "photos", state)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again after input it cannot use."""
    state = load_sealed(caller, sealer_of(context), dialog)
    if state is None:
        return
    await show(update, context, *screens.for_step(context, caller, dialog.step, state))
    await dialog_screens.drawn(context.db, caller.member.telegram_id)


async def resume(context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Send the step whose screen a crash lost, as a new message."""
    state = load_sealed(caller, sealer_of(context), dialog)
    if state is None:
        return
    text, markup = screens.for_step(context, caller, dialog.step, state)
    msg = await context.bot.send_message(
        caller.member.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    await dialog_screens.drawn(context.db, caller.member.telegram_id, msg.message_id)


async def on_command(update: Update, context: BotContext) -> None:
    """Start a new suggestion from /suggest."""
    caller = await get_caller(update, context)
    sealer = sealer_of(context)
    if not caller.member.verified:
        await refuse(update, caller)
    elif sealer is None:
        await send(update, context, caller._(CLOSED_BOX))
    else:
        await _start(update, context, caller, sealer, "suggestion")


def register(app: BotApp, registry: Registry) -> None:
    """Add the compose buttons, /suggest, the dialog and the menu entries."""
    routes.install(app)
    app.add_handler(CommandHandler("suggest", on_command, filters=filters.ChatType.PRIVATE))
    route = DialogRoute(on_text, on_media, reprompt, N_("Nothing was sent."), resume)
    registry.dialog(KIND, route)
    registry.add_menu(MenuEntry(N_("💡 Suggestion box"), routes.data("new", "s"), "member", 40))
    registry.add_menu(MenuEntry(N_("☎️ Ask the union"), routes.data("new", "h"), "member", 41))
    registry.add_command(
        CommandEntry("suggest", N_("Send a suggestion to the union"), "member", 40)
    )
