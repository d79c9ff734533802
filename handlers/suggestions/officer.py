"""Officers work on one suggestion: thread, take, assign, reply, change status, close, mute.

Every press re-checks on the server that the item is released to officers
(anonymous ones wait for the digest) and that the caller may manage its unit;
each change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, format_day
from bot.sealing import Sealer
from bot.services import BotApp, BotContext
from handlers.common import (
    Caller,
    answer,
    notify,
    press,
    refuse,
    send,
    show,
    stale,
)
from handlers.common import translator_for as translator
from handlers.keyboards import Cb, button, cb, keyboard
from handlers.registry import DialogRoute, Registry
from handlers.suggestions.inbox import Filter, inbox_data
from handlers.suggestions.views import (
    CLOSED_BOX,
    clean_body,
    fit,
    officer_names,
    open_button,
    page_buttons,
    relay_to_author,
    sealer_of,
    status_label,
    thread_lines,
    title,
    when,
)
from handlers.suggestions.views import OFFICER_NS as NS
from handlers.unit_picker import UnitTree
from handlers.validation import Problem
from storage import audit, dialogs, members, roles, suggestions
from storage.dialogs import Dialog
from storage.suggestions import MAX_TEXT, Suggestion, lifecycle
from storage.suggestions import reports as suggestion_reports

KIND = "suggest_reply"
SET_CODES = {"p": "in_progress", "a": "answered", "c": "closed"}
WITHDRAWN = N_("This suggestion was withdrawn by its author.")
CLOSED = N_("This item is closed. Reopen it with Status first.")


def _refusal(s: Suggestion) -> str:
    """Why nobody can write in this thread any more (a msgid)."""
    return WITHDRAWN if s.status == "withdrawn" else CLOSED


async def _view(
    update: Update,
    context: BotContext,
    caller: Caller,
    s: Suggestion,
    f: Filter,
    note: str = "",
    page: int = 0,
) -> None:
    _ = caller._
    db, now = context.db, context.clock.time()
    msgs = await suggestions.thread(db, s.id, now=now)
    names = await officer_names(context, msgs, s.owner_id)
    tree = await UnitTree.load(db)
    author_name = ""
    if s.anonymous:
        who = _("🙈 Anonymous member")
    else:
        author = await members.by_id(db, s.author_id) if s.author_id else None
        author_name = (author.name or "") if author else ""
        who = _("👤 From: {name}", name=author_name)
    due = _("Due: {day}", day=format_day(s.due_at - 1, caller.locale, context.settings.tz))
    if s.overdue(now):
        due += " " + _("⏰ overdue")
    owner = names.get(s.owner_id or 0) or _("nobody")
    head = [
        title(_, s),
        _("🏢 {unit}", unit=tree.path(s.unit_id)),
        who,
        _("Sent: {when}", when=when(s, s.created_at, caller.locale, context, author=True)),
        due,
        _("Status: {status}", status=status_label(_, s.status))
        + " · "
        + _("Owner: {name}", name=owner),
    ]
    if note:
        head.insert(0, note)
    # The suggestion itself is the thread's first entry: long threads page, newest first.
    lines = [
        html.escape(s.body, quote=False),
        *thread_lines(_, context, s, msgs, names, for_author=False, author_name=author_name),
    ]
    t = f.token()
    text, page, older = fit("\n".join(head), lines, title(_, s), page)
    layout: list[list[InlineKeyboardButton]] = []
    layout.append(page_buttons(_, page, older, lambda n: cb(NS, "pg", s.id, n, t)))
    if s.accepts_replies:
        layout.append([button(_("✍️ Reply"), cb(NS, "rp", s.id, t))])
        layout.append(
            [
                button(_("🙋 Take it"), cb(NS, "tk", s.id, t)),
                button(_("👥 Assign"), cb(NS, "as", s.id, t)),
            ]
        )
    if s.status != "withdrawn":
        row = [button(_("🔄 Status"), cb(NS, "st", s.id, t))]
        if s.status != "closed":
            row.append(button(_("✅ Close"), cb(NS, "cl", s.id, t)))
        layout.append(row)
    if s.photos:
        layout.append([button(_("🖼 Photos ({count})", count=len(s.photos)), cb(NS, "ph", s.id, t))])
    if s.anonymous:
        layout.append([button(_("🔇 Mute this author"), cb(NS, "mu", s.id, t))])
    layout.append([button(_("⬅ Inbox"), inbox_data(f))])
    await show(update, context, text, keyboard(layout))


async def on_button(update: Update, context: BotContext) -> None:
    """Route item buttons; release, role and unit scope are checked on every press."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    sealer = sealer_of(context)
    if sealer is None:
        await answer(update, caller._(CLOSED_BOX), alert=True)
        return
    sid = data.int_arg(0)
    s = await suggestions.visible(context.db, sid, context.clock.time()) if sid else None
    if s is None:
        await stale(update, caller)  # unknown, or anonymous and not released yet
        return
    if not await roles.can_manage(context.db, caller.member.id, s.unit_id):
        await refuse(update, caller)
        return
    if data.action in ("mu", "mx") and not s.anonymous:
        await stale(update, caller)  # only anonymous items can be muted: a forged press
        return
    f = (Filter.parse(data.args[-1]) if len(data.args) > 1 else None) or Filter()
    if data.action in ("o", "pg", "ph", "rp", "as", "st", "mu"):
        await _screen(update, context, caller, s, data, f)
    else:
        await _change(update, context, caller, sealer, s, data, f)


async def _screen(
    update: Update, context: BotContext, caller: Caller, s: Suggestion, data: Cb, f: Filter
) -> None:
    """Actions that only show something (or open the reply prompt)."""
    _ = caller._
    db, t = context.db, f.token()
    back = [button(_("⬅ Back"), cb(NS, "o", s.id, t))]
    if data.action in ("rp", "as") and not s.accepts_replies:
        await answer(update, _(_refusal(s)), alert=True)
        return
    await answer(update)
    if data.action == "o":
        open_dialog = await dialogs.get(db, caller.member.telegram_id)
        if open_dialog is not None and open_dialog.kind == KIND:
            await dialogs.clear(db, caller.member.telegram_id)  # "Back" from the reply prompt
        await _view(update, context, caller, s, f)
    elif data.action == "pg":
        await _view(update, context, caller, s, f, page=data.int_arg(1) or 0)
    elif data.action == "ph":
        for n, file_id in enumerate(s.photos, 1):
            caption = f"{s.ref} {n}/{len(s.photos)}"
            await context.bot.send_photo(caller.member.chat_id, file_id, caption=caption)
    elif data.action == "rp":
        state = Dialog(KIND, "text", {"sid": s.id, "f": t})
        await dialogs.save(db, caller.member.telegram_id, state, context.clock.time())
        text = _(
            "✍️ Write your reply to {ref} (at most {limit} characters).", ref=s.ref, limit=MAX_TEXT
        )
        await show(
            update, context, text + "\n" + _("It reaches the author at once."), keyboard([back])
        )
    elif data.action == "as":
        people = await suggestion_reports.assignees(db, s.unit_id)
        layout = [[button(name or "?", cb(NS, "ax", s.id, mid, t))] for mid, name in people[:20]]
        await show(update, context, _("👥 Assign {ref} to:", ref=s.ref), keyboard([*layout, back]))
    elif data.action == "st":
        allowed = suggestions.TRANSITIONS[s.status]
        layout = [
            [button(status_label(_, status), cb(NS, "sx", s.id, code, t))]
            for code, status in SET_CODES.items()
            if status in allowed
        ]
        await show(
            update, context, _("🔄 New status for {ref}:", ref=s.ref), keyboard([*layout, back])
        )
    elif data.action == "mu":
        text = _(
            "Mute the author of {ref}? They will not be able to send anonymous suggestions "
            "until an officer lifts the mute. Nobody learns who they are.",
            ref=s.ref,
        )
        confirm = [button(_("🔇 Yes, mute"), cb(NS, "mx", s.id, t))]
        await show(update, context, text, keyboard([confirm, back]))


async def _change(
    update: Update,
    context: BotContext,
    caller: Caller,
    sealer: Sealer,
    s: Suggestion,
    data: Cb,
    f: Filter,
) -> None:
    """Actions that change the item, audited in the same transaction."""
    _ = caller._
    db, now, me = context.db, context.clock.time(), caller.member.id
    target = data.int_arg(1)
    note, done = "", False
    async with db.transaction() as tx:
        if data.action == "tk":
            done, note = await lifecycle.take(tx, s.id, me, now), _("🙋 You now handle this item.")
        elif data.action == "ax":
            people = dict(await suggestion_reports.assignees(tx, s.unit_id))
            done = target in people and await lifecycle.take(tx, s.id, target or 0, now, by=me)
            note = _("👥 Assigned to {name}.", name=people.get(target or 0) or "")
        elif data.action == "sx":
            status = SET_CODES.get(data.args[1] if len(data.args) > 2 else "", "")
            done = bool(status) and await lifecycle.set_status(tx, s.id, status, me, now)
            note = _("🔄 Status changed.")
        elif data.action == "cl":
            done = await lifecycle.set_status(tx, s.id, "closed", me, now)
            note = _("✅ Closed. The author was asked to rate the handling.")
        elif data.action == "mx":
            done = await suggestions.mute_item(tx, s.id, me, now)
            note = _("🔇 The author of {ref} can no longer send anonymous suggestions.", ref=s.ref)
        if done:
            details = {"ref": s.ref, "to": data.args[1] if data.action in ("ax", "sx") else None}
            await audit.record(
                tx,
                me,
                f"suggestion_{data.action}",
                now,
                target_type="suggestion",
                target_id=s.id,
                details=details,
            )
    if not done:
        await stale(update, caller)
        return
    await answer(update)
    fresh = await suggestions.get(db, s.id) or s
    if data.action == "ax" and target is not None and target != me:
        other = await members.by_id(db, target)
        if other is not None:
            t_ = translator(context, other)
            text = t_(
                "👥 {ref} was assigned to you by {name}.", ref=s.ref, name=caller.member.name or ""
            )
            await notify(context, other.chat_id, text, open_button(t_, fresh))
    if fresh.status == "closed" and s.status != "closed":
        ask = N_(
            "✅ This item was closed. How well was it handled? "
            "Please rate from 1 (poor) to 5 (very good)."
        )
        await relay_to_author(context, sealer, fresh, ask, "rate")
    await _view(update, context, caller, fresh, f, note)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take an officer's reply and relay it to the author at once."""
    _ = caller._
    db, now = context.db, context.clock.time()
    sealer = sealer_of(context)
    s = await suggestions.visible(db, int(dialog.data.get("sid") or 0), now)
    if sealer is None or s is None or not await roles.can_manage(db, caller.member.id, s.unit_id):
        await dialogs.clear(db, caller.member.telegram_id)
        await refuse(update, caller)
        return
    message = update.effective_message
    body = clean_body(message.text if message else None)
    if isinstance(body, Problem):
        await send(update, context, body.render(_))
        return
    async with db.transaction() as tx:
        done = await lifecycle.officer_reply(tx, s.id, caller.member.id, body, now)
        if done:
            await audit.record(
                tx,
                caller.member.id,
                "suggestion_reply",
                now,
                target_type="suggestion",
                target_id=s.id,
                details={"ref": s.ref},
            )
        await dialogs.clear(tx, caller.member.telegram_id)
    if not done:
        fresh = await suggestions.get(db, s.id) or s
        await send(update, context, _(_refusal(fresh)))
        return
    fresh = await suggestions.get(db, s.id) or s
    reply = N_("💬 <b>Reply from the union</b>\n\n{text}")
    delivered = await relay_to_author(context, sealer, fresh, reply, "reply", text=body)
    note = (
        _("✅ Reply sent.")
        if delivered
        else _("✅ Reply saved. The author could not be reached now; it waits in their list.")
    )
    f = Filter.parse(str(dialog.data.get("f") or "")) or Filter()
    await _view(update, context, caller, fresh, f, note)


def register(app: BotApp, registry: Registry) -> None:
    """Add the item buttons and the reply dialog."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(KIND, DialogRoute(on_text=on_text, cancel_note=N_("No reply was sent.")))
