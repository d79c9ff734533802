"""/dashboard for officers: the figures of the units they look after, by unit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import Caller, get_caller, refuse, show, stale
from handlers.insight.figures import figure_lines, figures_of, footnote, scope_of
from handlers.keyboards import button, cb, keyboard
from handlers.registry import CommandEntry, MenuEntry, Registry
from handlers.routing import Action, Args, Routes
from handlers.unit_picker import UnitTree, picker_markup
from storage import roles, units

NS = "dh"
routes = Routes(NS, need="officer")
#: The dashboard of a unit (0: everything the officer oversees), and its refresh.
VIEW = "v"
#: The unit picker: open it, browse into a unit, choose a unit (names from unit_picker).
PICK, BROWSE, CHOOSE = "pick", "ub", "uc"


async def _show(update: Update, context: BotContext, caller: Caller, unit_id: int) -> None:
    _ = caller._
    scope, label = await scope_of(context, caller.member.id, caller.is_admin, unit_id, _)
    current, previous = await figures_of(context, scope)
    text = "\n".join(
        [
            _("📊 <b>Dashboard</b> · {scope}", scope=label),
            *figure_lines(_, current, previous),
            "",
            footnote(_, current),
        ]
    )
    markup = keyboard(
        [
            [
                button(_("🔎 Choose a unit"), routes.data(PICK)),
                button(_("🔄 Refresh"), routes.data(VIEW, unit_id)),
            ],
            [button(_("⬅ Back"), cb("m", "off"))],
        ]
    )
    await show(update, context, text, markup, unchanged_note=_("Already up to date."))


async def on_command(update: Update, context: BotContext) -> None:
    """Show the dashboard of everything the officer oversees."""
    caller = await get_caller(update, context)
    if not caller.is_officer:
        await refuse(update, caller)
        return
    await _show(update, context, caller, 0)


async def pick(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The unit picker, at the top or inside the unit being browsed."""
    db = context.db
    tree = await UnitTree.load(db)
    parent = args.num(0) if args else None
    scope = set(await roles.scope_unit_ids(db, caller.member.id))
    if parent is not None and not tree.can_browse(parent, scope):
        await stale(update, caller)
        return None
    extra = [[button(caller._("⬅ Back"), routes.data(VIEW, 0))]]
    markup = picker_markup(
        tree, caller._, ns=NS, parent_id=parent or None, allowed=scope, extra=extra
    )
    await show(
        update, context, caller._("📊 Figures of which unit? Sub-units are included."), markup
    )
    return None


async def view(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The figures of one unit (0: all the officer oversees); scope checked on every press."""
    unit_id = args.num(0)
    if unit_id and await units.get(context.db, unit_id) is None:
        await stale(update, caller)
    elif unit_id and not await roles.can_manage(context.db, caller.member.id, unit_id):
        await refuse(update, caller)
    else:
        await _show(update, context, caller, unit_id)
    return None


routes.add(Action(PICK, pick, "officer", ()))
routes.add(Action(BROWSE, pick, "officer", (int,)))
routes.add(Action(VIEW, view, "officer", (int,)))
routes.add(Action(CHOOSE, view, "officer", (int,)))


def register(app: BotApp, registry: Registry) -> None:
    """Add /dashboard, its buttons and the officer-menu entry."""
    routes.install(app)
    app.add_handler(CommandHandler("dashboard", on_command, filters=filters.ChatType.PRIVATE))
    registry.add_menu(MenuEntry(N_("📊 Dashboard"), routes.data(VIEW, 0), "officer", 5))
    registry.add_command(
        CommandEntry("dashboard", N_("Figures of the units you look after"), "officer", 51)
    )
