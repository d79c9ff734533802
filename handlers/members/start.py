"""/start: registration (language, name, unit, employee number, privacy) and invites."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, filters

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, get_caller, send, show
from handlers.events import checkin as event_checkin
from handlers.keyboards import button, keyboard
from handlers.members import approvals
from handlers.menu import send_menu
from handlers.registry import DialogRoute, Registry
from handlers.routing import STALE, Args, Routes, Word
from handlers.unit_picker import UnitTree, picker_markup
from handlers.validation import Problem, clean_employee_no, clean_name
from storage import dialog_screens, dialogs, members
from storage.dialogs import Dialog
from storage.members import commands, invites
from storage.members.invites import InviteProblem

log = logging.getLogger(__name__)
NS = "reg"
KIND = "register"
LANGS = (("zh_CN", "中文"), ("en", "English"))


def _steps(dialog: Dialog) -> list[str]:
    """The steps this registration goes through (an invite fixes the unit)."""
    steps = ["lang", "name"]
    if not dialog.data.get("invite"):
        steps.append("unit")
    return [*steps, "empno", "privacy"]


def _header(_: Translate, dialog: Dialog) -> str:
    steps = _steps(dialog)
    index = steps.index(dialog.step) + 1 if dialog.step in steps else len(steps)
    return _("📝 <b>Registration</b> · step {n}/{total}", n=index, total=len(steps))


def _back(_: Translate) -> list[InlineKeyboardButton]:
    return [button(_("⬅ Back"), routes.data("back"))]


async def _screen(
    context: BotContext, _: Translate, dialog: Dialog
) -> tuple[str, InlineKeyboardMarkup]:
    """Text and buttons for the dialog's current step."""
    head = _header(_, dialog)
    if dialog.step == "lang":
        current = _.locale
        buttons = [
            button(("✓ " if code == current else "") + label, routes.data("lang", code))
            for code, label in LANGS
        ]
        return f"{head}\n" + _("Welcome to the union bot! Choose your language."), keyboard(
            [buttons]
        )
    if dialog.step == "name":
        return (
            f"{head}\n"
            + _("Please send your name as your colleagues know it (at most 64 characters)."),
            keyboard([_back(_)]),
        )
    if dialog.step == "unit":
        tree = await UnitTree.load(context.db)
        parent = dialog.data.get("browse")
        where = tree.path(parent) if parent else ""
        text = f"{head}\n" + _("Choose the unit you work in.")
        if where:
            text += "\n" + _("Now in: {path}", path=where)
        if not tree.by_id:
            text += "\n" + _("No units have been set up yet. Please ask a union officer.")
        markup = picker_markup(tree, _, ns=NS, parent_id=parent, extra=[_back(_)])
        return text, markup
    if dialog.step == "empno":
        return (
            f"{head}\n" + _("Send your employee number, or press Skip if you prefer not to."),
            keyboard([[button(_("Skip"), routes.data("skip"))], _back(_)]),
        )
    # privacy
    return (
        f"{head}\n"
        + _(
            "🔒 <b>Privacy notice</b>\nThe union stores your name, unit, language and, if you "
            "gave it, your employee number, to reach you with union news, surveys and events. "
            "Officers of your unit can see your name and unit. Anonymous suggestions and "
            "anonymous survey answers are never linked to you. You can see and delete your data "
            "at any time."
        ),
        keyboard(
            [
                [
                    button(_("✅ I accept"), routes.data("ok")),
                    button(_("❌ I decline"), routes.data("no")),
                ],
                _back(_),
            ]
        ),
    )


async def _render(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Store the step, then show it: a crash in between is redrawn (dialog_recover)."""
    _ = context.services.i18n.bind(caller.member.language)
    tid = caller.member.telegram_id
    await dialogs.save(context.db, tid, dialog_screens.due(dialog), context.clock.time())
    text, markup = await _screen(context, _, dialog)
    msg = await show(update, context, text, markup)
    await dialog_screens.drawn(context.db, tid, msg.message_id if msg is not None else None)


async def resume(context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Send the step whose screen a crash lost, as a new message."""
    _ = caller._
    text, markup = await _screen(context, _, dialog)
    head = _("You are in the middle of registering; let's continue.")
    msg = await context.bot.send_message(
        caller.member.chat_id, f"{head}\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup
    )
    await dialog_screens.drawn(context.db, caller.member.telegram_id, msg.message_id)


async def on_start(update: Update, context: BotContext) -> None:
    """Begin or resume registration; handle an invite deep link."""
    caller = await get_caller(update, context)
    _ = caller._
    payload = context.args[0] if context.args else None
    if payload and payload.startswith(event_checkin.PAYLOAD_PREFIX):
        await event_checkin.on_start_payload(update, context, caller, payload)
        return
    member = caller.member
    if member.verified:
        if payload:
            await send(update, context, _("You are already a registered member."))
        await send_menu(update, context, caller)
        return
    db = context.db
    current = await dialogs.get(db, member.telegram_id)
    if current is not None and current.kind == KIND:
        # /start in the middle of registration continues it rather than starting over.
        await send(update, context, _("You are in the middle of registering; let's continue."))
        await _render(update, context, caller, current)
        return
    if member.status == "pending" and not payload:
        await send(update, context, _("⏳ Your request to join is still waiting for approval."))
        return
    data: dict[str, object] = {}
    if payload:
        status = await invites.check(db, payload, context.clock.time())
        if isinstance(status, InviteProblem):
            await send(update, context, _invite_problem(_, status))
        else:
            data["invite"] = status.code
            data["unit_id"] = status.unit_id
    dialog = Dialog(KIND, "lang", data)
    await _render(update, context, caller, dialog)


def _invite_problem(_: Translate, problem: InviteProblem) -> str:
    if problem is InviteProblem.EXPIRED:
        return _(
            "This invite link has expired. You can still register and ask to join; "
            "an officer will approve your request."
        )
    if problem is InviteProblem.USED_UP:
        return _(
            "This invite link has been used up. You can still register and ask to join; "
            "an officer will approve your request."
        )
    return _(
        "This invite link is not valid. You can still register and ask to join; "
        "an officer will approve your request."
    )


#: Registration buttons: pressed before the member is verified, so anyone may press.
routes = Routes(NS, need="anyone")


@routes.action("go")
async def on_go(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Begin or continue registering (the menu for a member who already did)."""
    if caller.member.verified or caller.member.status == "pending":
        await send_menu(update, context, caller)
        return None
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    if dialog is None or dialog.kind != KIND:
        dialog = Dialog(KIND, "lang", {})
    await _render(update, context, caller, dialog)
    return None


async def _at(
    update: Update, context: BotContext, caller: Caller, step: str | None
) -> Dialog | str | None:
    """The registration when it stands at `step` (None: any step).

    Otherwise the alert to answer with; or None after drawing the current step again,
    when a crash lost its screen and the press came from the screen before it.
    """
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    if dialog is None or dialog.kind != KIND:
        return caller._(STALE)
    if step is not None and dialog.step != step:
        if not dialog_screens.is_due(dialog):
            return caller._(STALE)
        await _render(update, context, caller, dialog)
        return None
    return dialog


@routes.action("back")
async def on_back(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """One step back."""
    dialog = await _at(update, context, caller, None)
    if not isinstance(dialog, Dialog):
        return dialog
    steps = _steps(dialog)
    at = steps.index(dialog.step) if dialog.step in steps else 0
    if at > 0:
        dialog.step = steps[at - 1]
    await _render(update, context, caller, dialog)
    return None


@routes.action("lang", args=(Word(choices=tuple(dict(LANGS))),))
async def on_lang(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Take the language, then ask for the name."""
    dialog = await _at(update, context, caller, "lang")
    if not isinstance(dialog, Dialog):
        return dialog
    await members.update_profile(context.db, caller.member.id, language=args.word(0))
    caller = await get_caller(update, context)
    dialog.step = "name"
    await _render(update, context, caller, dialog)
    return None


@routes.action("ub", args=(int,))
async def on_browse(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Browse into a unit (0: the top)."""
    dialog = await _at(update, context, caller, "unit")
    if not isinstance(dialog, Dialog):
        return dialog
    dialog.data["browse"] = args.num(0) or None
    await _render(update, context, caller, dialog)
    return None


@routes.action("uc", args=(int,))
async def on_unit(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Take the unit, then ask for the employee number."""
    dialog = await _at(update, context, caller, "unit")
    if not isinstance(dialog, Dialog):
        return dialog
    if args.num(0) not in (await UnitTree.load(context.db)).by_id:
        return caller._(STALE)
    dialog.data["unit_id"] = args.num(0)
    dialog.step = "empno"
    await _render(update, context, caller, dialog)
    return None


@routes.action("skip")
async def on_skip(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """No employee number; on to the privacy notice."""
    dialog = await _at(update, context, caller, "empno")
    if not isinstance(dialog, Dialog):
        return dialog
    dialog.data["employee_no"] = None
    dialog.step = "privacy"
    await _render(update, context, caller, dialog)
    return None


@routes.action("no")
async def on_decline(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Declining the notice ends the registration."""
    dialog = await _at(update, context, caller, "privacy")
    if not isinstance(dialog, Dialog):
        return dialog
    await dialogs.clear(context.db, caller.member.telegram_id)
    text = caller._(
        "Without accepting the privacy notice we cannot register you. "
        "Nothing was stored except that you started. Send /start to begin again."
    )
    await show(update, context, text)
    return None


@routes.action("ok")
async def on_accept(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Accepting the notice finishes the registration."""
    dialog = await _at(update, context, caller, "privacy")
    if not isinstance(dialog, Dialog):
        return dialog
    await _finish(update, context, caller, dialog, context.clock.time())
    return None


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the typed name or employee number for the current step."""
    _ = caller._
    if dialog_screens.is_due(dialog):
        # The prompt of this step never came: the text answers an earlier one. Show the step.
        await _render(update, context, caller, dialog)
        return
    text = update.effective_message.text if update.effective_message else None
    if dialog.step == "name":
        result = clean_name(text)
        if isinstance(result, Problem):
            await send(update, context, result.render(_))
            return
        dialog.data["name"] = result
        await members.update_profile(context.db, caller.member.id, name=result)
        dialog.step = "unit" if "unit" in _steps(dialog) else "empno"
    elif dialog.step == "empno":
        number = clean_employee_no(text)
        if isinstance(number, Problem):
            await send(update, context, number.render(_))
            return
        dialog.data["employee_no"] = number
        dialog.step = "privacy"
    else:
        await send(update, context, _("Please use the buttons of this step."))
    await _render(update, context, caller, dialog)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again after input it cannot use."""
    await _render(update, context, caller, dialog)


async def _finish(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, now: float
) -> None:
    """Accepting the notice: join through the invite, or ask an officer."""
    _ = caller._
    db = context.db
    member_id = caller.member.id
    name = str(dialog.data.get("name") or caller.member.name or "")
    employee_no = dialog.data.get("employee_no")
    unit_id = dialog.data.get("unit_id")
    if not name or not isinstance(unit_id, int):
        dialog.step = "name" if not name else "unit"
        await _render(update, context, caller, dialog)
        return
    code = dialog.data.get("invite")
    done = await commands.finish_registration(
        db, caller.member.telegram_id, member_id, name=name,
        employee_no=employee_no if isinstance(employee_no, str) else None,
        unit_id=unit_id, invite=code if isinstance(code, str) else None, now=now,
    )  # fmt: skip
    joined, problem, request_id = done.joined, done.problem, done.request_id
    caller = await get_caller(update, context)
    if joined:
        tree = await UnitTree.load(db)
        await show(
            update,
            context,
            caller._(
                "✅ Welcome, {name}! You are now a member of {unit}.",
                name=name,
                unit=tree.path(caller.member.unit_id or 0),
            ),
        )
        await send_menu(update, context, caller)
        return
    sent = _(
        "📨 Thank you! Your request to join has been sent to the officers of your unit. "
        "You will get a message when it is decided."
    )
    if problem is InviteProblem.USED_UP:
        sent = _("⚠️ The invite link was used up before you finished registering.") + "\n" + sent
    elif problem is not None:
        sent = _("⚠️ The invite link expired before you finished registering.") + "\n" + sent
    await show(update, context, sent)
    if request_id is not None:
        await approvals.notify_officers(context, request_id)


def register(app: BotApp, registry: Registry) -> None:
    """Add /start and the registration buttons."""
    app.add_handler(CommandHandler("start", on_start, filters=filters.ChatType.PRIVATE))
    routes.install(app)
    registry.dialog(
        KIND,
        DialogRoute(
            on_text=on_text,
            reprompt=reprompt,
            cancel_note=N_("Your registration was stopped; send /start to begin again."),
            resume=resume,
        ),
    )
