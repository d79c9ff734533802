"""Officer-issued invite links: a deep link tied to a unit, with expiry and a use limit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, format_when
from bot.services import BotApp, BotContext
from handlers.common import answer, press, refuse, send, show, stale
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.unit_picker import UnitTree, picker_markup
from storage import audit, roles
from storage.members import invites

NS = "iv"
#: (days, uses) presets offered to officers; a typed form would be slower on a phone.
PRESETS = ((7, 50), (30, 200), (1, 1))


async def on_button(update: Update, context: BotContext) -> None:
    """Pick a unit in scope, pick a preset, get the link."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    db = context.db
    _ = caller._
    scope = set(await roles.scope_unit_ids(db, caller.member.id))
    tree = await UnitTree.load(db)
    if data.action in ("new", "ub"):
        parent = data.int_arg(0) if data.action == "ub" else None
        if data.action == "ub" and (parent is None or not tree.can_browse(parent, scope)):
            await stale(update, caller)
            return
        await answer(update)
        markup = picker_markup(
            tree,
            _,
            ns=NS,
            parent_id=parent or None,
            allowed=scope,
            extra=[[button(_("⬅ Back"), cb("m", "off"))]],
        )
        await show(
            update,
            context,
            _("🔗 <b>Invite link</b>\nChoose the unit new members will join."),
            markup,
        )
        return
    unit_id = data.int_arg(0)
    if unit_id is None or unit_id not in tree.by_id:
        await stale(update, caller)
        return
    if unit_id not in scope:
        await refuse(update, caller)
        return
    await answer(update)
    if data.action == "uc":
        layout = [
            [button(_("{days} days, {uses} people", days=d, uses=u), cb(NS, "mk", unit_id, d, u))]
            for d, u in PRESETS
        ]
        layout.append([button(_("⬅ Back"), cb(NS, "new"))])
        await show(
            update,
            context,
            _("🔗 Invite to {unit}: how long and for how many people?", unit=tree.path(unit_id)),
            keyboard(layout),
        )
        return
    if data.action != "mk":
        await stale(update, caller)
        return
    days, uses = data.int_arg(1), data.int_arg(2)
    if (days, uses) not in PRESETS:
        await stale(update, caller)
        return
    assert days is not None and uses is not None
    now = context.clock.time()
    async with db.transaction() as tx:
        invite = await invites.create(tx, unit_id, caller.member.id, now, days=days, max_uses=uses)
        await audit.record(
            tx,
            caller.member.id,
            "invite_create",
            now,
            target_type="unit",
            target_id=unit_id,
            details={"days": days, "uses": uses},
        )
    link = f"https://t.me/{context.services.bot_username}?start={invite.code}"
    await send(
        update,
        context,
        _(
            "🔗 <b>Invite link for {unit}</b>\n{link}\nValid until {until}, for {uses} people. "
            "Share it only with members of this unit.",
            unit=tree.path(unit_id),
            link=link,
            until=format_when(invite.expires_at, caller.locale, context.settings.tz),
            uses=uses,
        ),
    )


def register(app: BotApp, registry: Registry) -> None:
    """Add the invite buttons and the officer-menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("🔗 Invite links"), cb(NS, "new"), "officer", 20))
