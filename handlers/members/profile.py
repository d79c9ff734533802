"""My profile: see and change language, name and unit (a unit change needs approval)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.commands import refresh_commands
from handlers.common import Caller, answer, get_caller, press, send, show, stale
from handlers.keyboards import button, cb, keyboard
from handlers.members import approvals
from handlers.members.start import LANGS
from handlers.menu import HOME
from handlers.registry import DialogRoute, Registry
from handlers.unit_picker import UnitTree, picker_markup
from handlers.validation import Problem, clean_name
from storage import dialogs, members
from storage.dialogs import Dialog
from storage.members import join_requests

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
            [button(label, cb(NS, "lang", code)) for code, label in LANGS if code != m.language],
            [button(_("✏️ Change name"), cb(NS, "name"))],
            [button(_("🔁 Change unit"), cb(NS, "unit"))],
            [button(_("🏠 Main menu"), HOME)],
        ]
    )
    await show(update, context, "\n".join(lines), markup)


async def on_profile(update: Update, context: BotContext) -> None:
    """Show the profile (command)."""
    caller = await get_caller(update, context)
    if not caller.member.verified:
        await send(update, context, caller._("Please register first with /start."))
        return
    await _view(update, context, caller)


async def on_button(update: Update, context: BotContext) -> None:
    """Profile buttons."""
    pressed = await press(update, context, "verified")
    if pressed is None:
        return
    caller, data = pressed
    db, now = context.db, context.clock.time()
    _ = caller._
    await answer(update)
    if data.action == "view":
        current = await dialogs.get(db, caller.member.telegram_id)
        if current is not None and current.kind == KIND:
            await dialogs.clear(db, caller.member.telegram_id)
        await _view(update, context, caller)
    elif data.action == "lang":
        code = data.args[0] if data.args else ""
        if code not in dict(LANGS):
            await stale(update, caller)
            return
        await members.update_profile(db, caller.member.id, language=code)
        caller = await get_caller(update, context)
        if caller.is_officer:
            # Officers have their own command list in their chat: it follows the language.
            await refresh_commands(context, caller.member)
        await _view(update, context, caller, caller._("✅ Language changed."))
    elif data.action == "name":
        await dialogs.save(db, caller.member.telegram_id, Dialog(KIND, "name"), now)
        await show(
            update,
            context,
            _("✏️ Send your new name (at most 64 characters)."),
            keyboard([[button(_("⬅ Back"), cb(NS, "view"))]]),
        )
    elif data.action in ("unit", "ub"):
        parent = data.int_arg(0) if data.action == "ub" else None
        tree = await UnitTree.load(db)
        if data.action == "ub" and (parent is None or not tree.can_browse(parent)):
            await stale(update, caller)
            return
        markup = picker_markup(
            tree, _, ns=NS, parent_id=parent or None, extra=[[button(_("⬅ Back"), cb(NS, "view"))]]
        )
        await show(
            update,
            context,
            _("🔁 Choose your new unit. An officer of that unit will approve the move."),
            markup,
        )
    elif data.action == "uc":
        unit_id = data.int_arg(0)
        tree = await UnitTree.load(db)
        if unit_id is None or unit_id not in tree.by_id:
            await stale(update, caller)
            return
        if unit_id == caller.member.unit_id:
            await _view(update, context, caller, _("You are already in this unit."))
            return
        async with db.transaction() as tx:
            request_id = await join_requests.open_request(
                tx, caller.member.id, unit_id, "unit_change", now
            )
        await _view(
            update,
            context,
            caller,
            _(
                "📨 Your request to move was sent to the officers of {unit}.",
                unit=tree.path(unit_id),
            ),
        )
        await approvals.notify_officers(context, request_id)
    else:
        await stale(update, caller)


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
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(
        KIND, DialogRoute(on_text=on_text, cancel_note=N_("Your profile was not changed."))
    )
