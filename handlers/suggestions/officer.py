"""Officers work on one suggestion: thread, take, assign, reply, change status, close, mute.

Every press re-checks on the server that the item is released to officers
(anonymous ones wait for the digest) and that the caller may manage its unit;
each change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, Translate, format_day
from bot.services import BotApp, BotContext
from handlers.common import Caller, notify, send, show
from handlers.common import translator_for as translator
from handlers.dialog_guard import end_and_refuse
from handlers.keyboards import button, keyboard
from handlers.lookup import on_item
from handlers.registry import DialogRoute, Registry
from handlers.routing import STALE, Action, Args, Routes, Word
from handlers.suggestions.inbox import FILTER_MAX, Filter, inbox_data
from handlers.suggestions.views import (
    CLOSED_BOX,
    fit,
    officer_names,
    open_button,
    page_buttons,
    relay_to_author,
    sealer_of,
    status_label,
    thread_lines,
    title,
    typed_body,
    when,
)
from handlers.suggestions.views import OFFICER_NS as NS
from handlers.unit_picker import UnitTree
from storage import dialogs, members, roles, suggestions
from storage.dialogs import Dialog
from storage.suggestions import MAX_TEXT, Suggestion, commands
from storage.suggestions import reports as suggestion_reports

KIND = "suggest_reply"
SET_CODES = {"p": "in_progress", "a": "answered", "c": "closed"}
WITHDRAWN = N_("This suggestion was withdrawn by its author.")
CLOSED = N_("This item is closed. Reopen it with Status first.")
FORBIDDEN = N_("Sorry, you are not allowed to do that.")
RATE_ASK = N_(
    "✅ This item was closed. How well was it handled? Please rate from 1 (poor) to 5 (very good)."
)


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
    layout.append(page_buttons(_, page, older, lambda n: routes.data("pg", s.id, n, t)))
    if s.accepts_replies:
        layout.append([button(_("✍️ Reply"), routes.data("rp", s.id, t))])
        layout.append(
            [
                button(_("🙋 Take it"), routes.data("tk", s.id, t)),
                button(_("👥 Assign"), routes.data("as", s.id, t)),
            ]
        )
    if s.status != "withdrawn":
        row = [button(_("🔄 Status"), routes.data("st", s.id, t))]
        if s.status != "closed":
            row.append(button(_("✅ Close"), routes.data("cl", s.id, t)))
        layout.append(row)
    if s.photos:
        layout.append(
            [button(_("🖼 Photos ({count})", count=len(s.photos)), routes.data("ph", s.id, t))]
        )
    if s.anonymous:
        layout.append([button(_("🔇 Mute this author"), routes.data("mu", s.id, t))])
    layout.append([button(_("⬅ Inbox"), inbox_data(f))])
    await show(update, context, text, keyboard(layout))


#: Item buttons; release, role and unit scope are checked on every press.
routes = Routes(NS, need="officer")
#: The inbox filters an item was opened with, carried so "back" returns to the same list.
TOKEN = Word(max_len=FILTER_MAX)


async def _item(context: BotContext, caller: Caller, sid: int) -> Suggestion | str:
    """The item when the caller may work on it; else the alert (closed box, stale, refused)."""
    if sealer_of(context) is None:
        return caller._(CLOSED_BOX)
    s = await suggestions.visible(context.db, sid, context.clock.time()) if sid else None
    if s is None:
        return caller._(STALE)  # unknown, or anonymous and not released yet
    if not await roles.can_manage(context.db, caller.member.id, s.unit_id):
        return caller._(FORBIDDEN)
    return s


_on_item = on_item(_item)


def _back(_: Translate, s: Suggestion, token: str) -> list[InlineKeyboardButton]:
    """The row that returns to the item, keeping the inbox filter."""
    return [button(_("⬅ Back"), routes.data("o", s.id, token))]


def _filter(args: Args) -> Filter:
    """The inbox filter a press carries last (the default when it carries none)."""
    raw = args[-1] if len(args) > 1 else None
    return (Filter.parse(raw) if isinstance(raw, str) else None) or Filter()


@_on_item
async def on_open(
    update: Update, context: BotContext, caller: Caller, args: Args, s: Suggestion
) -> str | None:
    """The item (leaving an unfinished reply)."""
    open_dialog = await dialogs.get(context.db, caller.member.telegram_id)
    if open_dialog is not None and open_dialog.kind == KIND:
        await dialogs.clear(context.db, caller.member.telegram_id)  # "Back" from the reply prompt
    await _view(update, context, caller, s, _filter(args))
    return None


@_on_item
async def on_page(
    update: Update, context: BotContext, caller: Caller, args: Args, s: Suggestion
) -> str | None:
    """An older page of the thread."""
    await _view(update, context, caller, s, _filter(args), page=args.num(1))
    return None


@_on_item
async def on_photos(
    update: Update, context: BotContext, caller: Caller, args: Args, s: Suggestion
) -> str | None:
    """Send the item's photos."""
    for n, file_id in enumerate(s.photos, 1):
        caption = f"{s.ref} {n}/{len(s.photos)}"
        await context.bot.send_photo(caller.member.chat_id, file_id, caption=caption)
    return None


async def _open_thread(context: BotContext, caller: Caller, sid: int) -> Suggestion | str:
    """The item when its thread still takes replies."""
    s = await _item(context, caller, sid)
    if isinstance(s, Suggestion) and not s.accepts_replies:
        return caller._(_refusal(s))
    return s


_on_open_thread = on_item(_open_thread)


@_on_open_thread
async def on_reply(
    update: Update, context: BotContext, caller: Caller, args: Args, s: Suggestion
) -> str | None:
    """Ask for the reply text."""
    _ = caller._
    t = _filter(args).token()
    state = Dialog(KIND, "text", {"sid": s.id, "f": t})
    await dialogs.save(context.db, caller.member.telegram_id, state, context.clock.time())
    text = _("✍️ Write your reply to {ref} (at most {limit} characters).", ref=s.ref, limit=MAX_TEXT)
    text += "\n" + _("It reaches the author at once.")
    await show(update, context, text, keyboard([_back(_, s, t)]))
    return None


@_on_open_thread
async def on_assign(
    update: Update, context: BotContext, caller: Caller, args: Args, s: Suggestion
) -> str | None:
    """Whom to assign the item to."""
    _ = caller._
    t = _filter(args).token()
    people = await suggestion_reports.assignees(context.db, s.unit_id)
    layout = [[button(name or "?", routes.data("ax", s.id, mid, t))] for mid, name in people[:20]]
    head = _("👥 Assign {ref} to:", ref=s.ref)
    await show(update, context, head, keyboard([*layout, _back(_, s, t)]))
    return None


@_on_item
async def on_status(
    update: Update, context: BotContext, caller: Caller, args: Args, s: Suggestion
) -> str | None:
    """The statuses the item may move to."""
    _ = caller._
    t = _filter(args).token()
    allowed = suggestions.TRANSITIONS[s.status]
    layout = [
        [button(status_label(_, status), routes.data("sx", s.id, code, t))]
        for code, status in SET_CODES.items()
        if status in allowed
    ]
    head = _("🔄 New status for {ref}:", ref=s.ref)
    await show(update, context, head, keyboard([*layout, _back(_, s, t)]))
    return None


async def on_mute(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Confirm muting an anonymous author."""
    _ = caller._
    s = await _item(context, caller, args.num(0))
    if isinstance(s, str) or not s.anonymous:
        return s if isinstance(s, str) else _(STALE)  # only anonymous items: a forged press
    t = _filter(args).token()
    text = _(
        "Mute the author of {ref}? They will not be able to send anonymous suggestions "
        "until an officer lifts the mute. Nobody learns who they are.",
        ref=s.ref,
    )
    confirm = [button(_("🔇 Yes, mute"), routes.data("mx", s.id, t))]
    await show(update, context, text, keyboard([confirm, _back(_, s, t)]))
    return None


async def on_take(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The caller handles the item."""
    return await _change(update, context, caller, args, "tk", None)


async def on_assign_to(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Assign the item to a member of its unit's officers."""
    return await _change(update, context, caller, args, "ax", args.num(1))


async def on_set_status(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Move the item to a new status."""
    return await _change(update, context, caller, args, "sx", SET_CODES[args.word(1)])


async def on_close(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Close the item (the author is asked to rate it)."""
    return await _change(update, context, caller, args, "cl", None)


async def on_mute_yes(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Mute the anonymous author."""
    return await _change(update, context, caller, args, "mx", None)


async def _change(
    update: Update,
    context: BotContext,
    caller: Caller,
    args: Args,
    action: commands.Change,
    to: int | str | None,
) -> str | None:
    """Change the item (audited), tell an assignee or the author, show the item again."""
    _ = caller._
    s = await _item(context, caller, args.num(0))
    if isinstance(s, str) or (action == "mx" and not s.anonymous):
        return s if isinstance(s, str) else _(STALE)
    db, me = context.db, caller.member.id
    if not await commands.change(db, me, s, action, to, context.clock.time()):
        return _(STALE)
    fresh = await suggestions.get(db, s.id) or s
    if action == "ax" and isinstance(to, int) and to != me:
        await _tell_assignee(context, caller, fresh, to)
    sealer = sealer_of(context)
    if fresh.status == "closed" and s.status != "closed" and sealer is not None:
        await relay_to_author(context, sealer, fresh, RATE_ASK, "rate")
    note = await _note(context, caller, s, action, to)
    await _view(update, context, caller, fresh, _filter(args), note)
    return None


async def _tell_assignee(
    context: BotContext, caller: Caller, s: Suggestion, member_id: int
) -> None:
    """Tell the member an item was assigned to them, in their language."""
    other = await members.by_id(context.db, member_id)
    if other is not None:
        t_ = translator(context, other)
        name = caller.member.name or ""
        text = t_("👥 {ref} was assigned to you by {name}.", ref=s.ref, name=name)
        await notify(context, other.chat_id, text, open_button(t_, s))


async def _note(
    context: BotContext, caller: Caller, s: Suggestion, action: commands.Change, to: object
) -> str:
    """What the change did, shown above the item."""
    _ = caller._
    if action == "ax":
        people = dict(await suggestion_reports.assignees(context.db, s.unit_id))
        return _("👥 Assigned to {name}.", name=people.get(to if isinstance(to, int) else 0) or "")
    return {
        "tk": _("🙋 You now handle this item."),
        "sx": _("🔄 Status changed."),
        "cl": _("✅ Closed. The author was asked to rate the handling."),
        "mx": _("🔇 The author of {ref} can no longer send anonymous suggestions.", ref=s.ref),
    }[action]


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take an officer's reply and relay it to the author at once."""
    _ = caller._
    db, now = context.db, context.clock.time()
    sealer = sealer_of(context)
    s = await suggestions.visible(db, int(dialog.data.get("sid") or 0), now)
    if sealer is None or s is None or not await roles.can_manage(db, caller.member.id, s.unit_id):
        await end_and_refuse(update, context, caller)
        return
    body = await typed_body(update, context, caller)
    if body is None:
        return
    done = await commands.reply(db, caller.member.id, caller.member.telegram_id, s, body, now)
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
    routes.install(app)
    registry.dialog(KIND, DialogRoute(on_text=on_text, cancel_note=N_("No reply was sent.")))


_ITEM = (int, TOKEN)
for _name, _handler in (
    ("o", on_open), ("ph", on_photos), ("rp", on_reply), ("as", on_assign), ("st", on_status),
    ("mu", on_mute), ("tk", on_take), ("cl", on_close), ("mx", on_mute_yes),
):  # fmt: skip
    routes.add(Action(_name, _handler, "officer", _ITEM, optional=1))
routes.add(Action("pg", on_page, "officer", (int, int, TOKEN), optional=1))
routes.add(Action("ax", on_assign_to, "officer", (int, int, TOKEN), optional=1))
routes.add(Action("sx", on_set_status, "officer", (int, Word(choices=tuple(SET_CODES)), TOKEN), 1))
