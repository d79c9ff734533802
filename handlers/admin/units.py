"""Admins build the unit tree in chat: add, rename and move units."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, send, show
from handlers.dialog_guard import ended_unless
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute, MenuEntry, Registry
from handlers.routing import STALE, Args, Routes
from handlers.unit_picker import UnitTree
from handlers.validation import Problem, clean_text
from storage import dialog_screens, dialogs, members
from storage.admin import commands
from storage.dialogs import Dialog

NS = "ua"
KIND = "unit_admin"
MAX_UNIT_NAME = 60


def _tree_text(_: Translate, tree: UnitTree) -> str:
    lines = [_("🏢 <b>Union units</b>")]
    outline = tree.outline()
    if not outline:
        lines.append(_("No units yet. Add the company union first."))
    for depth, unit in outline:
        lines.append("　" * depth + "• " + html.escape(unit.name, quote=False))
    return "\n".join(lines)


async def _show_tree(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    tree = await UnitTree.load(context.db)
    layout: list[list[InlineKeyboardButton]] = [
        [button("　" * min(depth, 3) + unit.name, routes.data("open", unit.id))]
        for depth, unit in tree.outline(40)
    ]
    layout.append([button(_("➕ Add a top-level unit"), routes.data("add", 0))])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    await show(update, context, _tree_text(_, tree), keyboard(layout))


async def _unit_screen(
    context: BotContext, caller: Caller, unit_id: int, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """One unit: its path, its member count and what an admin can do with it."""
    _ = caller._
    tree = await UnitTree.load(context.db)
    count = await members.count_in_units(context.db, [unit_id])
    text = _("🏢 <b>{unit}</b>\nMembers: {count}", unit=tree.path(unit_id), count=count)
    if note:
        text = f"{note}\n{text}"
    markup = keyboard(
        [
            [button(_("➕ Add a sub-unit"), routes.data("add", unit_id))],
            [
                button(_("✏️ Rename"), routes.data("ren", unit_id)),
                button(_("↕ Move"), routes.data("mv", unit_id)),
            ],
            [button(_("⬅ Back"), routes.data("tree"))],
        ]
    )
    return text, markup


async def _show_unit(
    update: Update, context: BotContext, caller: Caller, unit_id: int, note: str = ""
) -> None:
    """Show one unit's screen."""
    await show(update, context, *await _unit_screen(context, caller, unit_id, note))


#: Every unit-tree button; admins only, checked on every press.
routes = Routes(NS, need="admin")


async def _unit(context: BotContext, unit_id: int) -> UnitTree | None:
    """The tree when unit_id names a unit (or 0, the top level); None for a gone unit."""
    tree = await UnitTree.load(context.db)
    return tree if unit_id == 0 or unit_id in tree.by_id else None


@routes.action("tree")
async def on_tree(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The whole tree."""
    await _show_tree(update, context, caller)
    return None


@routes.action("open", args=(int,))
async def on_open(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """One unit's screen."""
    unit_id = args.num(0)
    if not unit_id or await _unit(context, unit_id) is None:
        return caller._(STALE)
    await _show_unit(update, context, caller, unit_id)
    return None


async def _ask_name(
    update: Update, context: BotContext, caller: Caller, step: str, unit_id: int
) -> str | None:
    """Start the name dialog for a new unit under unit_id, or for renaming it."""
    _ = caller._
    tree = await _unit(context, unit_id)
    if tree is None or (step == "rename" and not unit_id):
        return _(STALE)
    now = context.clock.time()
    await dialogs.save(
        context.db, caller.member.telegram_id, Dialog(KIND, step, {"unit_id": unit_id}), now
    )
    prompt = (
        _("Send the name of the new unit (at most 60 characters).")
        if step == "add"
        else _("Send the new name of {unit}.", unit=tree.path(unit_id))
    )
    await show(update, context, prompt, keyboard([[button(_("⬅ Back"), routes.data("tree"))]]))
    return None


@routes.action("add", args=(int,))
async def on_add(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Ask for the name of a new unit under this one (0: top level)."""
    return await _ask_name(update, context, caller, "add", args.num(0))


@routes.action("ren", args=(int,))
async def on_rename(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Ask for the unit's new name."""
    return await _ask_name(update, context, caller, "rename", args.num(0))


@routes.action("mv", args=(int,))
async def on_move(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Offer every unit outside this one's subtree as its new parent."""
    _ = caller._
    unit_id = args.num(0)
    tree = await _unit(context, unit_id)
    if tree is None or not unit_id:
        return _(STALE)
    banned = tree.subtree(unit_id)
    layout = [[button(_("⬆ Top level"), routes.data("to", unit_id, 0))]]
    for depth, other in tree.outline(40):
        if other.id not in banned:
            layout.append(
                [button("　" * min(depth, 3) + other.name, routes.data("to", unit_id, other.id))]
            )
    layout.append([button(_("⬅ Back"), routes.data("open", unit_id))])
    text = _("↕ Move {unit} under which unit?", unit=tree.path(unit_id))
    await show(update, context, text, keyboard(layout))
    return None


@routes.action("to", args=(int, int))
async def on_move_to(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Move the unit under the chosen parent (0: top level)."""
    unit_id, target = args.num(0), args.num(1)
    moved = await commands.move_unit(
        context.db, caller.member.id, unit_id, target or None, context.clock.time()
    )
    if not moved:
        return caller._(STALE)
    await _show_unit(update, context, caller, unit_id, caller._("✅ Moved."))
    return None


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take a unit name for add or rename."""
    _ = caller._
    if await ended_unless(update, context, caller, caller.is_admin):
        return
    if dialog.step == "saved":
        # Stored before a crash lost its screen: the name typed again is not a second unit.
        await _saved(update, context, caller, dialog)
        return
    text = update.effective_message.text if update.effective_message else None
    name = clean_text(text, MAX_UNIT_NAME)
    if isinstance(name, Problem):
        await send(update, context, name.render(_))
        return
    name = " ".join(name.split())
    db, now, actor = context.db, context.clock.time(), caller.member.id
    unit_id = int(dialog.data.get("unit_id") or 0)
    # The saved step is stored with the change, so a crash before its screen is redrawn.
    after = (caller.member.telegram_id, dialog_screens.due(Dialog(KIND, "saved", {})))
    if dialog.step == "add":
        done = await commands.create_unit(db, actor, name, unit_id or None, now, after=after)
    else:
        done = await commands.rename_unit(db, actor, unit_id, name, now, after=after)
    if done is None:
        await dialogs.clear(db, caller.member.telegram_id)
        await send(update, context, _(STALE))
        return
    await _saved(update, context, caller, after[1])


async def _saved(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the unit just saved and close the dialog."""
    await _show_unit(update, context, caller, int(dialog.data["unit_id"]), caller._("✅ Saved."))
    await dialogs.clear(context.db, caller.member.telegram_id)


async def resume(context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Send the saved unit's screen that a crash lost."""
    if dialog.step == "saved" and caller.is_admin:
        unit_id = int(dialog.data["unit_id"])
        text, markup = await _unit_screen(context, caller, unit_id, caller._("✅ Saved."))
        await context.bot.send_message(
            caller.member.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    await dialogs.clear(context.db, caller.member.telegram_id)


def register(app: BotApp, registry: Registry) -> None:
    """Add the unit tree buttons, the name dialog and the admin-menu entry."""
    routes.install(app)
    note = N_("No unit was changed.")
    registry.dialog(KIND, DialogRoute(on_text=on_text, cancel_note=note, resume=resume))
    registry.add_menu(MenuEntry(N_("🏢 Units"), routes.data("tree"), "admin", 30))
