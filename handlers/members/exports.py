"""The exports screen (every feature's files in one place) and the members roster export."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler

from bot.exports import Cell, xlsx_bytes
from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, show
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.routing import STALE, Args, Routes
from handlers.unit_picker import UnitTree, picker_routes
from storage import units
from storage.members import commands

NS = "ro"
HUB = cb(NS, "hub")
FORBIDDEN = N_("Sorry, you are not allowed to do that.")

#: The exports hub, the roster export and (handlers.members.roster) the roster import.
routes = Routes(NS, need="officer")

#: Other features' own exports: (label, callback data, admins only). Shown only when a
#: handler of this bot routes the data, so a feature that is not installed is not offered.
_LINKS: tuple[tuple[str, str, bool], ...] = (
    (N_("📋 Survey results (choose a survey)"), cb("svo", "list"), False),
    (N_("📅 Event attendance (choose an event)"), cb("eo", "list"), False),
    (N_("💡 Suggestions (anonymous ones without author)"), cb("sq", "exp"), False),
    (N_("📚 Study completion"), cb("sto", "list"), False),
    (N_("🧾 Audit log (Excel)"), cb("al", "xp"), True),
)


def _routed(context: BotContext, data: str) -> bool:
    """Whether some feature's button handler (not the catch-all) takes this data."""
    for group in context.application.handlers.values():
        for handler in group:
            pattern = getattr(handler, "pattern", None)
            routed = isinstance(pattern, re.Pattern) and pattern.match(data) is not None
            if isinstance(handler, CallbackQueryHandler) and routed:
                return True
    return False


@routes.action("hub")
async def on_hub(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Every export the caller may take."""
    _ = caller._
    layout = [[button(_("👥 Members roster (Excel)"), routes.data("pick"))]]
    for label, data, admin_only in _LINKS:
        if (caller.is_admin or not admin_only) and _routed(context, data):
            layout.append([button(_(label), data)])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    text = _(
        "📤 <b>Exports</b>\nEach file covers only the units you look after, and every "
        "export is recorded in the audit log. Anonymous items never carry their author."
    )
    await show(update, context, text, keyboard(layout))
    return None


picker_routes(
    routes, "pick", N_("👥 Roster of which unit? Sub-units are included."), HUB, scoped=True,
    extra=lambda _: [[button(_("👥 All my units"), routes.data("x", 0))]],
)  # fmt: skip


@routes.action("uc", args=(int,))
async def on_choose(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The roster of the chosen unit and its sub-units."""
    return await _export(update, context, caller, args.num(0))


@routes.action("x", args=(int,))
async def on_export(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The roster of a unit (0: every unit in the caller's scope)."""
    return await _export(update, context, caller, args.num(0))


def _local(moment: float | None, context: BotContext) -> datetime | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, context.settings.tz).replace(tzinfo=None)


async def _export(update: Update, context: BotContext, caller: Caller, unit_id: int) -> str | None:
    """Send the roster of a unit (0: every unit in scope) as Excel; audited."""
    _ = caller._
    db = context.db
    if unit_id and await units.get(db, unit_id) is None:
        return _(STALE)
    found = await commands.export_roster(db, caller.member.id, unit_id, context.clock.time())
    if found is None:
        return _(FORBIDDEN)
    await answer(update, _("Preparing the file…"))
    tree = await UnitTree.load(db)
    people, waiting = found.people, found.waiting
    status = {"verified": _("verified"), "pending": _("waiting for approval")}
    rows: list[Sequence[Cell]] = [
        [
            p.name,
            p.employee_no,
            tree.path(p.unit_id or 0),
            status.get(p.status, p.status),
            p.language,
            _local(p.registered_at, context),
            _local(p.last_seen_at, context),
        ]
        for p in people
    ]
    rows += [
        [
            e.name,
            e.employee_no,
            tree.path(e.unit_id),
            _("on the roster, not registered"),
            None,
            None,
            None,
        ]
        for e in waiting
    ]
    headers = [
        _("Name"),
        _("Employee number"),
        _("Unit"),
        _("Status"),
        _("Language"),
        _("Registered"),
        _("Last seen"),
    ]
    data = xlsx_bytes(rows, headers, sheet=_("Members"), widths=[16, 14, 36, 22, 8, 18, 18])
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(data, filename="roster.xlsx"),
        caption=_(
            "👥 Members roster: {members} members, {waiting} on the roster not yet registered.",
            members=len(people),
            waiting=len(waiting),
        ),
    )
    return None


def register(app: BotApp, registry: Registry) -> None:
    """Add the exports and roster buttons (the import's too) and the officer-menu entry."""
    routes.install(app)
    registry.add_menu(MenuEntry(N_("📤 Exports"), HUB, "officer", 80))
