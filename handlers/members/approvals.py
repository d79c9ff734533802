"""Join and unit-change requests: officers are told, approve or reject in chat."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, notify, show, translator_for
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.routing import STALE, Args, Routes
from handlers.unit_picker import UnitTree
from storage import members, roles
from storage.members import commands, join_requests
from storage.members.join_requests import JoinRequest

NS = "jr"
FORBIDDEN = N_("Sorry, you are not allowed to do that.")


def _request_text(
    _: Translate, req: JoinRequest, name: str, employee_no: str | None, path: str
) -> str:
    title = (
        _("📝 <b>Join request</b>") if req.kind == "join" else _("🔁 <b>Unit change request</b>")
    )
    lines = [title, _("Name: {name}", name=name), _("Unit: {unit}", unit=path)]
    if employee_no:
        lines.append(_("Employee number: {number}", number=employee_no))
    return "\n".join(lines)


def _decide_markup(_: Translate, request_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(_("✅ Approve"), routes.data("ok", request_id)),
                button(_("❌ Reject"), routes.data("no", request_id)),
            ]
        ]
    )


async def notify_officers(context: BotContext, request_id: int) -> None:
    """Tell the nearest officers of the requested unit, each in their own language."""
    db = context.db
    req = await join_requests.get(db, request_id)
    if req is None:
        return
    member = await members.by_id(db, req.member_id)
    if member is None:
        return
    tree = await UnitTree.load(db)
    for officer in await members.reachable(db, await roles.officers_for_unit(db, req.unit_id)):
        _ = translator_for(context, officer)
        text = _request_text(_, req, member.name or "", member.employee_no, tree.path(req.unit_id))
        await notify(context, officer.chat_id, text, _decide_markup(_, req.id))


#: List, open and decide requests; officers only, scope checked on every press.
routes = Routes(NS, need="officer")


@routes.action("list")
async def on_list(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Pending requests in the caller's units."""
    _ = caller._
    db = context.db
    scope = await roles.scope_unit_ids(db, caller.member.id)
    pending = await join_requests.pending_in_units(db, scope)
    tree = await UnitTree.load(db)
    layout = []
    for req in pending[:20]:
        member = await members.by_id(db, req.member_id)
        label = f"{member.name if member else '?'} → {tree.path(req.unit_id)}"
        layout.append([button(label[:60], routes.data("open", req.id))])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    text = _("📝 <b>Join requests</b>\n{count} waiting for a decision.", count=len(pending))
    await show(update, context, text, keyboard(layout))
    return None


@routes.action("open", args=(int,))
async def on_open(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """One request, with its decision buttons while it is pending."""
    _ = caller._
    db = context.db
    req = await join_requests.get(db, args.num(0))
    member = await members.by_id(db, req.member_id) if req is not None else None
    if req is None or member is None:
        return _(STALE)
    if not await roles.can_manage(db, caller.member.id, req.unit_id):
        return _(FORBIDDEN)
    tree = await UnitTree.load(db)
    text = _request_text(_, req, member.name or "", member.employee_no, tree.path(req.unit_id))
    if req.status != "pending":
        text += "\n" + _("This request was already decided.")
        back = keyboard([[button(_("⬅ Back"), routes.data("list"))]])
        await show(update, context, text, back)
    else:
        await show(update, context, text, _decide_markup(_, req.id))
    return None


@routes.action("ok", args=(int,))
async def on_approve(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Approve the request."""
    return await _decide(update, context, caller, args.num(0), approved=True)


@routes.action("no", args=(int,))
async def on_reject(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Reject the request."""
    return await _decide(update, context, caller, args.num(0), approved=False)


async def _decide(
    update: Update, context: BotContext, caller: Caller, request_id: int, *, approved: bool
) -> str | None:
    """Decide (audited), show the verdict on the officer's message, tell the member."""
    _ = caller._
    outcome, req = await commands.decide_request(
        context.db, caller.member.id, request_id, approved, context.clock.time()
    )
    if outcome == "stale":
        return _(STALE)
    if outcome == "forbidden":
        return _(FORBIDDEN)
    if outcome == "decided":
        return _("Someone else already decided this request.")
    assert req is not None
    member = await members.by_id(context.db, req.member_id)
    assert member is not None
    await answer(update, _("Done."))
    tree = await UnitTree.load(context.db)
    base = _request_text(_, req, member.name or "", member.employee_no, tree.path(req.unit_id))
    verdict = _("✅ Approved by you.") if approved else _("❌ Rejected by you.")
    await show(update, context, f"{base}\n\n{verdict}")
    await _tell_member(context, member.id, req, approved, tree)
    return None


async def _tell_member(
    context: BotContext, member_id: int, req: JoinRequest, approved: bool, tree: UnitTree
) -> None:
    member = await members.by_id(context.db, member_id)
    if member is None:
        return
    _ = translator_for(context, member)
    unit = tree.path(req.unit_id)
    if req.kind == "join":
        text = (
            _(
                "✅ Your request to join {unit} was approved. Welcome! Send /menu to begin.",
                unit=unit,
            )
            if approved
            else _(
                "Your request to join {unit} was not approved. If this is a mistake, "
                "please talk to your union officer; you can send /start to try again.",
                unit=unit,
            )
        )
    else:
        text = (
            _("✅ Your move to {unit} was approved.", unit=unit)
            if approved
            else _("Your request to move to {unit} was not approved.", unit=unit)
        )
    markup = keyboard([[button(_("🏠 Main menu"), cb("m", "home"))]]) if approved else None
    await notify(context, member.chat_id, text, markup)


def register(app: BotApp, registry: Registry) -> None:
    """Add the approval buttons and the officer-menu entry."""
    routes.install(app)
    registry.add_menu(MenuEntry(N_("📝 Join requests"), routes.data("list"), "officer", 10))
