"""Join and unit-change requests: officers are told, approve or reject in chat."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import (
    answer,
    notify,
    press,
    refuse,
    show,
    stale,
    translator_for,
)
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.unit_picker import UnitTree
from storage import audit, members, roles
from storage.members import join_requests
from storage.members.join_requests import JoinRequest

NS = "jr"


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
                button(_("✅ Approve"), cb(NS, "ok", request_id)),
                button(_("❌ Reject"), cb(NS, "no", request_id)),
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
    for officer_id in await roles.officers_for_unit(db, req.unit_id):
        officer = await members.by_id(db, officer_id)
        if officer is None or officer.unreachable:
            continue
        _ = translator_for(context, officer)
        text = _request_text(_, req, member.name or "", member.employee_no, tree.path(req.unit_id))
        await notify(context, officer.chat_id, text, _decide_markup(_, req.id))


async def on_button(update: Update, context: BotContext) -> None:
    """List pending requests, open one, approve or reject it (scope checked every time)."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    db = context.db
    _ = caller._
    if data.action == "list":
        await answer(update)
        scope = await roles.scope_unit_ids(db, caller.member.id)
        pending = await join_requests.pending_in_units(db, scope)
        tree = await UnitTree.load(db)
        layout = []
        for req in pending[:20]:
            member = await members.by_id(db, req.member_id)
            label = f"{member.name if member else '?'} → {tree.path(req.unit_id)}"
            layout.append([button(label[:60], cb(NS, "open", req.id))])
        layout.append([button(_("⬅ Back"), cb("m", "off"))])
        text = _("📝 <b>Join requests</b>\n{count} waiting for a decision.", count=len(pending))
        await show(update, context, text, keyboard(layout))
        return
    request_id = data.int_arg(0)
    found = await join_requests.get(db, request_id) if request_id is not None else None
    if found is None:
        await stale(update, caller)
        return
    req = found
    if not await roles.can_manage(db, caller.member.id, req.unit_id):
        await refuse(update, caller)
        return
    member = await members.by_id(db, req.member_id)
    if member is None:
        await stale(update, caller)
        return
    if data.action == "open":
        await answer(update)
        tree = await UnitTree.load(db)
        text = _request_text(_, req, member.name or "", member.employee_no, tree.path(req.unit_id))
        if req.status != "pending":
            text += "\n" + _("This request was already decided.")
            await show(update, context, text, keyboard([[button(_("⬅ Back"), cb(NS, "list"))]]))
        else:
            await show(update, context, text, _decide_markup(_, req.id))
        return
    if data.action not in ("ok", "no"):
        await stale(update, caller)
        return
    approved = data.action == "ok"
    now = context.clock.time()
    async with db.transaction() as tx:
        decided = await join_requests.decide(tx, req.id, approved, caller.member.id, now)
        if decided:
            if approved:
                await members.update_profile(tx, member.id, unit_id=req.unit_id)
                await members.set_status(tx, member.id, "verified", now)
            elif req.kind == "join":
                await members.set_status(tx, member.id, "rejected", now)
            await audit.record(
                tx,
                caller.member.id,
                f"{req.kind}_{'approve' if approved else 'reject'}",
                now,
                target_type="member",
                target_id=member.id,
                details={"unit_id": req.unit_id},
            )
    if not decided:
        await answer(update, _("Someone else already decided this request."), alert=True)
        return
    await answer(update, _("Done."))
    tree = await UnitTree.load(db)
    base = _request_text(_, req, member.name or "", member.employee_no, tree.path(req.unit_id))
    verdict = _("✅ Approved by you.") if approved else _("❌ Rejected by you.")
    await show(update, context, f"{base}\n\n{verdict}")
    await _tell_member(context, member.id, req, approved, tree)


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
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("📝 Join requests"), cb(NS, "list"), "officer", 10))
