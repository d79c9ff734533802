"""Admins grant and revoke roles in chat: officer of a unit, or admin."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, raw
from bot.services import BotApp, BotContext
from handlers.commands import refresh_commands
from handlers.common import Caller, notify, show, translator_for
from handlers.keyboards import button, cb, keyboard, paginate
from handlers.registry import MenuEntry, Registry
from handlers.routing import STALE, Args, Routes
from handlers.unit_picker import UnitTree, picker_routes
from storage import members, roles
from storage.admin import commands
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
        layout.append([button(label[:60], routes.data("rv", grant.member_id, grant.unit_id or 0))])
    layout.append([button(_("➕ Grant a role"), routes.data("grant"))])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    await show(update, context, "\n".join(lines), keyboard(layout))


#: Every role button; admins only, checked on every press.
routes = Routes(NS, need="admin")


@routes.action("home")
async def on_home(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Every current grant."""
    await _home(update, context, caller)
    return None


picker_routes(
    routes, "grant", N_("🔑 Choose the unit of the member who gets a role."), routes.data("home")
)


@routes.action("uc", args=(int, int), optional=1)
async def on_unit(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The unit's members, a page at a time."""
    _ = caller._
    unit_id, page = args.num(0), int(args.get(1, 0) or 0)
    tree = await UnitTree.load(context.db)
    if unit_id not in tree.by_id:
        return _(STALE)
    people = await members.in_units(context.db, [unit_id])
    page, start, end = paginate(len(people), page, PER_PAGE)
    layout = [
        [button(m.name or f"#{m.id}", routes.data("who", m.id, unit_id))] for m in people[start:end]
    ]
    nav = []
    if start > 0:
        nav.append(button("◀", routes.data("uc", unit_id, page - 1)))
    if end < len(people):
        nav.append(button("▶", routes.data("uc", unit_id, page + 1)))
    layout += [nav, [button(_("⬅ Back"), routes.data("grant"))]]
    text = _("🔑 Members of {unit}: choose one.", unit=tree.path(unit_id))
    if not people:
        text += "\n" + _("This unit has no registered members yet.")
    await show(update, context, text, keyboard(layout))
    return None


@routes.action("who", args=(int, int))
async def on_member(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Officer of the member's unit, or admin."""
    _ = caller._
    member_id, unit_id = args.num(0), args.num(1)
    member = await members.by_id(context.db, member_id)
    tree = await UnitTree.load(context.db)
    if member is None or unit_id not in tree.by_id:
        return _(STALE)
    officer = _("Officer of {unit}", unit=raw(tree.path(unit_id)))[:60]
    layout = [
        [button(officer, routes.data("go", member.id, unit_id))],
        [button(_("Admin (everything)"), routes.data("go", member.id, 0))],
        [button(_("⬅ Back"), routes.data("uc", unit_id))],
    ]
    await show(
        update, context, _("🔑 Which role for {name}?", name=member.name or ""), keyboard(layout)
    )
    return None


@routes.action("go", args=(int, int))
async def on_give(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Grant officer of the unit (0: admin)."""
    return await _set_role(update, context, caller, args, granting=True)


@routes.action("rv", args=(int, int))
async def on_revoke(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Revoke officer of the unit (0: admin)."""
    return await _set_role(update, context, caller, args, granting=False)


async def _set_role(
    update: Update, context: BotContext, caller: Caller, args: Args, *, granting: bool
) -> str | None:
    """Change the role, tell the member, and show the grants again."""
    _ = caller._
    member_id, unit_id = args.num(0), args.num(1)
    member = await members.by_id(context.db, member_id)
    tree = await UnitTree.load(context.db)
    if member is None or (unit_id and unit_id not in tree.by_id):
        return _(STALE)
    role = "admin" if unit_id == 0 else "officer"
    if not granting and role == "admin" and member.id == caller.member.id:
        # An admin removing themselves could leave the union with no admin at all.
        return _("You cannot revoke your own admin role.")
    changed = await commands.set_role(
        context.db, caller.member.id, member.id, unit_id or None, granting, context.clock.time()
    )
    if changed:
        await _tell_member(context, member, role, tree.path(unit_id) if unit_id else "", granting)
    note = _("✅ Done.") if changed else _("Nothing changed: that was already so.")
    await _home(update, context, caller, note)
    return None


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
    routes.install(app)
    registry.add_menu(MenuEntry(N_("🔑 Roles"), routes.data("home"), "admin", 40))
