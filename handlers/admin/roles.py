"""Admins grant and revoke roles in chat: officer of a unit, or admin."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, raw
from bot.services import BotApp, BotContext
from handlers.commands import refresh_commands
from handlers.common import (
    Caller,
    answer,
    notify,
    press,
    show,
    stale,
    translator_for,
)
from handlers.keyboards import button, cb, keyboard, paginate
from handlers.registry import MenuEntry, Registry
from handlers.unit_picker import UnitTree, picker_markup
from storage import audit, members, roles
from storage.members import Member

NS = "ra"
PER_PAGE = 8


async def _home(update: Update, context: BotContext, caller: Caller, note: str = "") -> None:
    """Every current grant, each with a revoke button."""
    _ = caller._
    db = context.db
    tree = await UnitTree.load(db)
    lines = [_("🔑 <b>Roles</b>")]
    if note:
        lines.append(note)
    layout: list[list[InlineKeyboardButton]] = []
    for grant in (await roles.all_grants(db))[:30]:
        member = await members.by_id(db, grant.member_id)
        name = member.name if member and member.name else f"#{grant.member_id}"
        where = _("admin") if grant.role == "admin" else tree.path(grant.unit_id or 0)
        lines.append(f"• {html.escape(name, quote=False)} — {html.escape(where, quote=False)}")
        label = _("✖ {name} — {where}", name=raw(name), where=raw(where))
        layout.append([button(label[:60], cb(NS, "rv", grant.member_id, grant.unit_id or 0))])
    layout.append([button(_("➕ Grant a role"), cb(NS, "grant"))])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    await show(update, context, "\n".join(lines), keyboard(layout))


async def on_button(update: Update, context: BotContext) -> None:
    """Role buttons; admins only, checked on every press."""
    pressed = await press(update, context, "admin")
    if pressed is None:
        return
    caller, data = pressed
    _ = caller._
    db, now = context.db, context.clock.time()
    tree = await UnitTree.load(db)
    await answer(update)
    if data.action == "home":
        await _home(update, context, caller)
    elif data.action in ("grant", "ub"):
        parent = data.int_arg(0) if data.action == "ub" else None
        if data.action == "ub" and (parent is None or not tree.can_browse(parent)):
            await stale(update, caller)
            return
        markup = picker_markup(
            tree, _, ns=NS, parent_id=parent or None, extra=[[button(_("⬅ Back"), cb(NS, "home"))]]
        )
        await show(update, context, _("🔑 Choose the unit of the member who gets a role."), markup)
    elif data.action == "uc":
        unit_id, page = data.int_arg(0), data.int_arg(1) or 0
        if unit_id is None or unit_id not in tree.by_id:
            await stale(update, caller)
            return
        people = await members.in_units(db, [unit_id])
        page, start, end = paginate(len(people), page, PER_PAGE)
        layout = [
            [button(m.name or f"#{m.id}", cb(NS, "who", m.id, unit_id))] for m in people[start:end]
        ]
        nav = []
        if start > 0:
            nav.append(button("◀", cb(NS, "uc", unit_id, page - 1)))
        if end < len(people):
            nav.append(button("▶", cb(NS, "uc", unit_id, page + 1)))
        layout += [nav, [button(_("⬅ Back"), cb(NS, "grant"))]]
        text = _("🔑 Members of {unit}: choose one.", unit=tree.path(unit_id))
        if not people:
            text += "\n" + _("This unit has no registered members yet.")
        await show(update, context, text, keyboard(layout))
    elif data.action == "who":
        member_id, unit_id = data.int_arg(0), data.int_arg(1)
        member = await members.by_id(db, member_id) if member_id is not None else None
        if member is None or unit_id not in tree.by_id:
            await stale(update, caller)
            return
        await show(
            update,
            context,
            _("🔑 Which role for {name}?", name=member.name or ""),
            keyboard(
                [
                    [
                        button(
                            _("Officer of {unit}", unit=raw(tree.path(unit_id)))[:60],
                            cb(NS, "go", member.id, unit_id),
                        )
                    ],
                    [button(_("Admin (everything)"), cb(NS, "go", member.id, 0))],
                    [button(_("⬅ Back"), cb(NS, "uc", unit_id))],
                ]
            ),
        )
    elif data.action in ("go", "rv"):
        member_id, unit_id = data.int_arg(0), data.int_arg(1)
        member = await members.by_id(db, member_id) if member_id is not None else None
        if member is None or unit_id is None or (unit_id and unit_id not in tree.by_id):
            await stale(update, caller)
            return
        role = "admin" if unit_id == 0 else "officer"
        granting = data.action == "go"
        if not granting and role == "admin" and member.id == caller.member.id:
            # An admin removing themselves could leave the union with no admin at all.
            await answer(update, _("You cannot revoke your own admin role."), alert=True)
            return
        async with db.transaction() as tx:
            if granting:
                changed = await roles.grant(
                    tx, member.id, role, unit_id or None, caller.member.id, now
                )
            else:
                changed = await roles.revoke(tx, member.id, role, unit_id or None)
            if changed:
                await audit.record(
                    tx,
                    caller.member.id,
                    "role_grant" if granting else "role_revoke",
                    now,
                    target_type="member",
                    target_id=member.id,
                    details={"role": role, "unit_id": unit_id or None},
                )
        where = tree.path(unit_id) if unit_id else ""
        if changed:
            await _tell_member(context, member, role, where, granting)
        note = _("✅ Done.") if changed else _("Nothing changed: that was already so.")
        await _home(update, context, caller, note)
    else:
        await stale(update, caller)


async def _tell_member(
    context: BotContext, member: Member, role: str, where: str, granting: bool
) -> None:
    """Tell the member about their new or removed role, in their language."""
    _ = translator_for(context, member)
    if granting and role == "officer":
        text = _(
            "🔑 You are now an officer of {unit}. Open the officer menu from /menu.", unit=where
        )
    elif granting:
        text = _("🔑 You are now an admin of the union bot.")
    else:
        text = _(
            "🔑 Your role was removed: {role}.", role=where if role == "officer" else _("admin")
        )
    await notify(context, member.chat_id, text)
    await refresh_commands(context, member)


def register(app: BotApp, registry: Registry) -> None:
    """Add the role buttons and the admin-menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("🔑 Roles"), cb(NS, "home"), "admin", 40))
