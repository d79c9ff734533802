"""Admins build the unit tree in chat: add, rename and move units."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, press, refuse, send, show, stale
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute, MenuEntry, Registry
from handlers.unit_picker import UnitTree
from handlers.validation import Problem, clean_text
from storage import audit, dialogs, members, units
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
        [button("　" * min(depth, 3) + unit.name, cb(NS, "open", unit.id))]
        for depth, unit in tree.outline(40)
    ]
    layout.append([button(_("➕ Add a top-level unit"), cb(NS, "add", 0))])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    await show(update, context, _tree_text(_, tree), keyboard(layout))


async def _show_unit(
    update: Update, context: BotContext, caller: Caller, unit_id: int, note: str = ""
) -> None:
    _ = caller._
    tree = await UnitTree.load(context.db)
    count = await members.count_in_units(context.db, [unit_id])
    text = _("🏢 <b>{unit}</b>\nMembers: {count}", unit=tree.path(unit_id), count=count)
    if note:
        text = f"{note}\n{text}"
    markup = keyboard(
        [
            [button(_("➕ Add a sub-unit"), cb(NS, "add", unit_id))],
            [
                button(_("✏️ Rename"), cb(NS, "ren", unit_id)),
                button(_("↕ Move"), cb(NS, "mv", unit_id)),
            ],
            [button(_("⬅ Back"), cb(NS, "tree"))],
        ]
    )
    await show(update, context, text, markup)


async def on_button(update: Update, context: BotContext) -> None:
    """Unit tree buttons; admins only, checked on every press."""
    pressed = await press(update, context, "admin")
    if pressed is None:
        return
    caller, data = pressed
    _ = caller._
    db, now = context.db, context.clock.time()
    tree = await UnitTree.load(db)
    if data.action == "tree":
        await answer(update)
        await _show_tree(update, context, caller)
        return
    unit_id = data.int_arg(0)
    if unit_id is None or (unit_id != 0 and unit_id not in tree.by_id):
        await stale(update, caller)
        return
    await answer(update)
    if data.action == "open" and unit_id:
        await _show_unit(update, context, caller, unit_id)
    elif data.action in ("add", "ren"):
        if data.action == "ren" and not unit_id:
            await stale(update, caller)
            return
        step = "add" if data.action == "add" else "rename"
        await dialogs.save(
            db, caller.member.telegram_id, Dialog(KIND, step, {"unit_id": unit_id}), now
        )
        prompt = (
            _("Send the name of the new unit (at most 60 characters).")
            if step == "add"
            else _("Send the new name of {unit}.", unit=tree.path(unit_id))
        )
        await show(update, context, prompt, keyboard([[button(_("⬅ Back"), cb(NS, "tree"))]]))
    elif data.action == "mv" and unit_id:
        banned = tree.subtree(unit_id)
        layout = [[button(_("⬆ Top level"), cb(NS, "to", unit_id, 0))]]
        for depth, other in tree.outline(40):
            if other.id not in banned:
                layout.append(
                    [button("　" * min(depth, 3) + other.name, cb(NS, "to", unit_id, other.id))]
                )
        layout.append([button(_("⬅ Back"), cb(NS, "open", unit_id))])
        await show(
            update,
            context,
            _("↕ Move {unit} under which unit?", unit=tree.path(unit_id)),
            keyboard(layout),
        )
    elif data.action == "to" and unit_id:
        target = data.int_arg(1)
        if (
            target is None
            or (target != 0 and target not in tree.by_id)
            or (target in tree.subtree(unit_id))
        ):
            await stale(update, caller)
            return
        async with db.transaction() as tx:
            await units.move(tx, unit_id, target or None)
            await audit.record(
                tx,
                caller.member.id,
                "unit_move",
                now,
                target_type="unit",
                target_id=unit_id,
                details={"parent_id": target or None},
            )
        await _show_unit(update, context, caller, unit_id, _("✅ Moved."))
    else:
        await stale(update, caller)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take a unit name for add or rename."""
    _ = caller._
    if not caller.is_admin:
        await dialogs.clear(context.db, caller.member.telegram_id)
        await refuse(update, caller)
        return
    text = update.effective_message.text if update.effective_message else None
    name = clean_text(text, MAX_UNIT_NAME)
    if isinstance(name, Problem):
        await send(update, context, name.render(_))
        return
    name = " ".join(name.split())
    db, now = context.db, context.clock.time()
    unit_id = int(dialog.data.get("unit_id") or 0)
    async with db.transaction() as tx:
        if dialog.step == "add":
            parent = unit_id or None
            if parent is not None and await units.get(tx, parent) is None:
                await dialogs.clear(tx, caller.member.telegram_id)
                return
            created = await units.create(tx, name, parent, now)
            await audit.record(
                tx,
                caller.member.id,
                "unit_create",
                now,
                target_type="unit",
                target_id=created.id,
                details={"name": name, "parent_id": parent},
            )
            target = created.id
        else:
            await units.rename(tx, unit_id, name)
            await audit.record(
                tx,
                caller.member.id,
                "unit_rename",
                now,
                target_type="unit",
                target_id=unit_id,
                details={"name": name},
            )
            target = unit_id
        await dialogs.clear(tx, caller.member.telegram_id)
    await _show_unit(update, context, caller, target, _("✅ Saved."))


def register(app: BotApp, registry: Registry) -> None:
    """Add the unit tree buttons and the admin-menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(KIND, DialogRoute(on_text=on_text, cancel_note=N_("No unit was changed.")))
    registry.add_menu(MenuEntry(N_("🏢 Units"), cb(NS, "tree"), "admin", 30))
