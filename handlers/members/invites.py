"""Officer-issued invite links: a deep link tied to a unit, with expiry and a use limit."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, format_when
from bot.services import BotApp, BotContext
from handlers.common import Caller, send, show
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.routing import STALE, Args, Routes, Word
from handlers.unit_picker import UnitTree, picker_routes
from storage import roles
from storage.members import commands

NS = "iv"
#: (days, uses) presets offered to officers; a typed form would be slower on a phone.
PRESETS = ((7, 50), (30, 200), (1, 1))
FORBIDDEN = N_("Sorry, you are not allowed to do that.")

#: Pick a unit in scope, pick a preset, get the link; officers only.
routes = Routes(NS, need="officer")


picker_routes(
    routes, "new", N_("🔗 <b>Invite link</b>\nChoose the unit new members will join."),
    cb("m", "off"), scoped=True,
)  # fmt: skip


async def _in_scope(context: BotContext, caller: Caller, unit_id: int) -> UnitTree | str:
    """The unit tree when the caller may invite to unit_id; else the refusal."""
    tree = await UnitTree.load(context.db)
    if unit_id not in tree.by_id:
        return caller._(STALE)
    if unit_id not in await roles.scope_unit_ids(context.db, caller.member.id):
        return caller._(FORBIDDEN)
    return tree


@routes.action("uc", args=(int,))
async def on_unit(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """How long and for how many people."""
    _ = caller._
    unit_id = args.num(0)
    tree = await _in_scope(context, caller, unit_id)
    if isinstance(tree, str):
        return tree
    layout = [
        [button(_("{days} days, {uses} people", days=d, uses=u), routes.data("mk", unit_id, d, u))]
        for d, u in PRESETS
    ]
    layout.append([button(_("⬅ Back"), routes.data("new"))])
    text = _("🔗 Invite to {unit}: how long and for how many people?", unit=tree.path(unit_id))
    await show(update, context, text, keyboard(layout))
    return None


#: Days and uses travel as words from the presets, so the data stays within 64 bytes.
_DAYS = Word(choices=tuple(str(d) for d, _u in PRESETS))
_USES = Word(choices=tuple(str(u) for _d, u in PRESETS))


@routes.action("mk", args=(int, _DAYS, _USES))
async def on_make(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Make the link (audited) and send it as a message the officer keeps."""
    _ = caller._
    unit_id, days, uses = args.num(0), int(args.word(1)), int(args.word(2))
    tree = await _in_scope(context, caller, unit_id)
    if isinstance(tree, str):
        return tree
    if (days, uses) not in PRESETS:
        return _(STALE)
    now = context.clock.time()
    invite = await commands.create_invite(context.db, caller.member.id, unit_id, days, uses, now)
    if invite is None:
        return _(FORBIDDEN)
    link = f"https://t.me/{context.services.bot_username}?start={invite.code}"
    text = _(
        "🔗 <b>Invite link for {unit}</b>\n{link}\nValid until {until}, for {uses} people. "
        "Share it only with members of this unit.",
        unit=tree.path(unit_id),
        link=link,
        until=format_when(invite.expires_at, caller.locale, context.settings.tz),
        uses=uses,
    )
    await send(update, context, text)
    return None


def register(app: BotApp, registry: Registry) -> None:
    """Add the invite buttons and the officer-menu entry."""
    routes.install(app)
    registry.add_menu(MenuEntry(N_("🔗 Invite links"), routes.data("new"), "officer", 20))
