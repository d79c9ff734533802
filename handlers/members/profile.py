"""My profile: see and change language, name and unit (a unit change needs approval)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.commands import refresh_commands
from handlers.common import Caller, get_caller, send, show
from handlers.keyboards import button, keyboard
from handlers.members import approvals
from handlers.members.start import LANGS
from handlers.menu import HOME
from handlers.registry import DialogRoute, Registry
from handlers.routing import STALE, Args, Routes, Word
from handlers.screen_action import member_command
from handlers.unit_picker import UnitTree, picker_routes
from handlers.validation import Problem, clean_name
from storage import dialogs, members
from storage.dialogs import Dialog
from storage.members import commands, join_requests

NS = "pf"
KIND = "profile"


async def _view(update: Update, context: BotContext, caller: Caller, note: str = "") -> None:
    _ = caller._
    m = caller.member
    tree = await UnitTree.load(context.db)
    pending = await join_requests.pending_for_member(context.db, m.id)
    lines = [
        _("👤 <b>My profile</b>"),
        _("Name: {name}", name=m.name or "—"),
        _("Unit: {unit}", unit=tree.path(m.unit_id) if m.unit_id else "—"),
        _("Employee number: {number}", number=m.employee_no or "—"),
        _("Language: {language}", language=dict(LANGS).get(m.language, m.language)),
    ]
    if pending is not None and pending.kind == "unit_change":
        lines.append(
            _("⏳ Move to {unit} is waiting for approval.", unit=tree.path(pending.unit_id))
        )
    if note:
        lines.insert(1, note)
    markup = keyboard(
        [
            [
                button(label, routes.data("lang", code))
                for code, label in LANGS
                if code != m.language
            ],
            [button(_("✏️ Change name"), routes.data("name"))],
            [button(_("🔁 Change unit"), routes.data("unit"))],
            [button(_("🏠 Main menu"), HOME)],
        ]
    )
    await show(update, context, "\n".join(lines), markup)


#: /profile: the member's profile.
on_profile = member_command(_view, N_("Please register first with /start."))


#: Profile buttons; registered members only.
routes = Routes(NS, need="verified")


@routes.action("view")
async def on_view(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The profile (leaving a name change unfinished)."""
    current = await dialogs.get(context.db, caller.member.telegram_id)
    if current is not None and current.kind == KIND:
        await dialogs.clear(context.db, caller.member.telegram_id)
    await _view(update, context, caller)
    return None


@routes.action("lang", args=(Word(choices=tuple(dict(LANGS))),))
async def on_lang(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Switch the language."""
    await members.update_profile(context.db, caller.member.id, language=args.word(0))
    caller = await get_caller(update, context)
    if caller.is_officer:
        # Officers have their own command list in their chat: it follows the language.
        await refresh_commands(context, caller.member)
    await _view(update, context, caller, caller._("✅ Language changed."))
    return None


@routes.action("name")
async def on_name(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Ask for the new name."""
    _ = caller._
    dialog = Dialog(KIND, "name")
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    back = keyboard([[button(_("⬅ Back"), routes.data("view"))]])
    await show(update, context, _("✏️ Send your new name (at most 64 characters)."), back)
    return None


picker_routes(
    routes, "unit",
    N_("🔁 Choose your new unit. An officer of that unit will approve the move."),
    routes.data("view"),
)  # fmt: skip


@routes.action("uc", args=(int,))
async def on_choose(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Ask the new unit's officers to approve the move."""
    _ = caller._
    unit_id = args.num(0)
    tree = await UnitTree.load(context.db)
    if unit_id not in tree.by_id:
        return _(STALE)
    if unit_id == caller.member.unit_id:
        await _view(update, context, caller, _("You are already in this unit."))
        return None
    request_id = await commands.request_unit_change(
        context.db, caller.member.id, unit_id, context.clock.time()
    )
    sent = _("📨 Your request to move was sent to the officers of {unit}.", unit=tree.path(unit_id))
    await _view(update, context, caller, sent)
    await approvals.notify_officers(context, request_id)
    return None


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the new name."""
    text = update.effective_message.text if update.effective_message else None
    result = clean_name(text)
    if isinstance(result, Problem):
        await send(update, context, result.render(caller._))
        return
    await members.update_profile(context.db, caller.member.id, name=result)
    await dialogs.clear(context.db, caller.member.telegram_id)
    caller = await get_caller(update, context)
    await _view(update, context, caller, caller._("✅ Name changed."))


def register(app: BotApp, registry: Registry) -> None:
    """Add /profile and its buttons."""
    app.add_handler(CommandHandler("profile", on_profile, filters=filters.ChatType.PRIVATE))
    routes.install(app)
    registry.dialog(
        KIND, DialogRoute(on_text=on_text, cancel_note=N_("Your profile was not changed."))
    )
