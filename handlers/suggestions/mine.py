"""Members follow their suggestions: list, thread, answer back, withdraw, rate the handling.

Anonymous items are found through the member's sealed index and proven theirs
by opening the item's seal on every press; what an anonymous author does is
stored at day precision and shown to officers from the next digest time.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, format_when
from bot.sealing import Sealer
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, press, send, show, stale
from handlers.keyboards import Cb, button, cb, keyboard, paginate
from handlers.menu import HOME
from handlers.registry import DialogRoute, MenuEntry, Registry
from handlers.suggestions.views import (
    CLOSED_BOX,
    NO_ANSWERS,
    category_label,
    clean_body,
    fit,
    load_sealed,
    officer_names,
    page_buttons,
    save_sealed,
    sealer_of,
    status_label,
    tell_officers,
    thread_lines,
    title,
)
from handlers.suggestions.views import MINE_NS as NS
from handlers.validation import Problem
from storage import anon_pool, audit, dialogs, suggestions
from storage.dialogs import Dialog
from storage.suggestions import MAX_TEXT, Suggestion, lifecycle

KIND = "suggest_thread"
PER_PAGE = 8


AT_RELEASE = N_(
    "🕓 Noted. It takes effect at the next collection time, together with other members' "
    "actions, which keeps you anonymous."
)


async def _pool(context: BotContext, sealer: Sealer, payload: dict[str, object]) -> None:
    """Seal an anonymous author's action into the mixing pool (released with others)."""
    async with context.db.transaction() as tx:
        await anon_pool.put(tx, sealer, anon_pool.BOX, payload)


async def _waiting(context: BotContext, caller: Caller, sealer: Sealer) -> list[Suggestion]:
    """The caller's anonymous items not released yet (only they can open them)."""
    settings = context.settings
    return await suggestions.pending_of(
        context.db,
        sealer,
        caller.member.id,
        now=context.clock.time(),
        digest_times=settings.anonymous_digest_times,
        tz=settings.tz,
    )


async def _view_waiting(update: Update, context: BotContext, caller: Caller, s: Suggestion) -> None:
    _ = caller._
    release = format_when(s.release_at, caller.locale, context.settings.tz)
    text = "\n".join(
        [
            title(_, s),
            _(
                "🕓 Waiting for the next collection time ({when}); officers cannot see it yet.",
                when=release,
            ),
            "",
            html.escape(s.body, quote=False),
        ]
    )
    await show(
        update, context, text, keyboard([[button(_("⬅ My suggestions"), cb(NS, "mine", 0))]])
    )


async def _list(
    update: Update, context: BotContext, caller: Caller, sealer: Sealer, page: int
) -> None:
    _ = caller._
    waiting = await _waiting(context, caller, sealer)
    items = waiting + await suggestions.of_author(context.db, sealer, caller.member.id)
    page, start, end = paginate(len(items), page, PER_PAGE)
    layout = [
        [
            button(
                f"{s.ref} · "
                + (_("🕓 Waiting") if s in waiting else status_label(_, s.status))
                + f" · {category_label(_, s.category)}",
                cb(NS, "o", s.id),
            )
        ]
        for s in items[start:end]
    ]
    nav = [button("◀", cb(NS, "mine", page - 1))] if start > 0 else []
    nav += [button("▶", cb(NS, "mine", page + 1))] if end < len(items) else []
    layout += [nav, [button(_("🏠 Main menu"), HOME)]]
    text = (
        _("📬 <b>My suggestions</b>\n{count} in total; only you see this list.", count=len(items))
        if items
        else _("📬 <b>My suggestions</b>\nYou have not sent anything yet.")
    )
    await show(update, context, text, keyboard(layout))


async def _view(
    update: Update,
    context: BotContext,
    caller: Caller,
    s: Suggestion,
    note: str = "",
    page: int = 0,
) -> None:
    _ = caller._
    msgs = await suggestions.thread(context.db, s.id)
    names = await officer_names(context, msgs)
    head = [title(_, s), _("Status: {status}", status=status_label(_, s.status))]
    if s.anonymous:
        head.append(_("🙈 Sent anonymously"))
    if note:
        head.insert(0, note)
    # The suggestion itself is the thread's first entry: long threads page, newest first.
    lines = [
        html.escape(s.body, quote=False),
        *thread_lines(_, context, s, msgs, names, for_author=True),
    ]
    text, page, older = fit("\n".join(head), lines, title(_, s), page)
    layout = [page_buttons(_, page, older, lambda n: cb(NS, "pg", s.id, n))]
    if s.accepts_replies and any(m.side == "officer" and m.kind == "text" for m in msgs):
        layout.append([button(_("💬 Answer"), cb(NS, "ans", s.id))])
    if s.withdrawable:
        layout.append([button(_("↩️ Withdraw"), cb(NS, "wd", s.id))])
    if s.status == "closed" and not s.rated:
        layout.append([button("⭐" * n, cb(NS, "r", s.id, n)) for n in (1, 2, 3)])
        layout.append([button("⭐" * n, cb(NS, "r", s.id, n)) for n in (4, 5)])
    layout.append([button(_("⬅ My suggestions"), cb(NS, "mine", 0))])
    await show(update, context, text, keyboard(layout))


async def on_button(update: Update, context: BotContext) -> None:
    """Route "My suggestions" buttons; authorship is proven on every press."""
    pressed = await press(update, context, "verified")
    if pressed is None:
        return
    caller, data = pressed
    _ = caller._
    sealer = sealer_of(context)
    if sealer is None:
        await answer(update, _(CLOSED_BOX), alert=True)
        return
    if data.action == "mine":
        await answer(update)
        await _list(update, context, caller, sealer, data.int_arg(0) or 0)
        return
    sid = data.int_arg(0)
    s = await suggestions.get(context.db, sid) if sid is not None else None
    if s is None and data.action == "o":
        waiting = [w for w in await _waiting(context, caller, sealer) if w.id == sid]
        if waiting:
            await answer(update)
            await _view_waiting(update, context, caller, waiting[0])
            return
    if s is None or not await suggestions.is_author(context.db, sealer, s.id, caller.member.id):
        await stale(update, caller)  # someone else's item looks exactly like a missing one
        return
    await _act(update, context, caller, sealer, s, data)


async def _act(
    update: Update, context: BotContext, caller: Caller, sealer: Sealer, s: Suggestion, data: Cb
) -> None:
    _ = caller._
    db = context.db
    action = data.action
    if action in ("o", "pg"):
        await answer(update)
        page = (data.int_arg(1) or 0) if action == "pg" else 0
        await _view(update, context, caller, s, page=page)
    elif action == "ans":
        if not s.accepts_replies:
            await answer(update, _(NO_ANSWERS), alert=True)
            return
        await answer(update)
        await save_sealed(context, caller, sealer, KIND, "answer", {"sid": s.id})
        text = _(
            "✏️ Write your answer to {ref} (at most {limit} characters).", ref=s.ref, limit=MAX_TEXT
        )
        markup = keyboard([[button(_("⬅ Back"), cb(NS, "o", s.id))]])
        under_reply = data.args[1:2] == ("new",)
        await (send if under_reply else show)(update, context, text, markup)
    elif action == "wd":
        await answer(update)
        layout = [
            [button(_("↩️ Yes, withdraw it"), cb(NS, "wdy", s.id))],
            [button(_("⬅ Back"), cb(NS, "o", s.id))],
        ]
        text = _(
            "Withdraw {ref}? Officers will see it as withdrawn and cannot answer it.", ref=s.ref
        )
        await show(update, context, text, keyboard(layout))
    elif action == "wdy":
        if s.anonymous:
            await _pool(context, sealer, {"k": "withdraw", "sid": s.id})
            await answer(update)
            await _view(update, context, caller, s, _(AT_RELEASE))
            return
        async with db.transaction() as tx:
            done = await lifecycle.withdraw(tx, s.id, context.clock.time())
            if done:
                await audit.record(
                    tx,
                    caller.member.id,
                    "suggestion_withdraw",
                    context.clock.time(),
                    target_type="suggestion",
                    target_id=s.id,
                    details={"ref": s.ref},
                )
        if done:
            await answer(update)
        else:
            text = _("It was answered already, so it can no longer be withdrawn.")
            await answer(update, text, alert=True)
        await _view(update, context, caller, await suggestions.get(db, s.id) or s)
    elif action == "r":
        await _rate(update, context, caller, sealer, s, data.int_arg(1))
    elif action == "rs":
        await answer(update)
        await dialogs.clear(db, caller.member.telegram_id)
        home = keyboard([[button(_("🏠 Main menu"), HOME)]])
        await show(update, context, _("Thank you for your feedback."), home)
    else:
        await stale(update, caller)


async def _rate(
    update: Update,
    context: BotContext,
    caller: Caller,
    sealer: Sealer,
    s: Suggestion,
    stars: int | None,
) -> None:
    _ = caller._
    if stars is None or not 1 <= stars <= 5:
        await stale(update, caller)
        return
    if s.anonymous:
        done = s.status == "closed" and not s.rated
        if done:
            await _pool(context, sealer, {"k": "rate", "sid": s.id, "n": stars})
    else:
        now = context.clock.time()
        async with context.db.transaction() as tx:
            done = await lifecycle.rate(tx, s.id, stars, at=now, release_at=now)
    if not done:
        await answer(update, _("This item cannot be rated (again)."), alert=True)
        return
    await answer(update, _("Thank you!"))
    await save_sealed(context, caller, sealer, KIND, "comment", {"sid": s.id})
    text = _("⭐ You rated {stars}/5. Add a comment? Type it now, or press Skip.", stars=stars)
    await show(update, context, text, keyboard([[button(_("Skip"), cb(NS, "rs", s.id))]]))


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take an answer in the thread or a comment on the rating."""
    _ = caller._
    db = context.db
    sealer = sealer_of(context)
    state = load_sealed(caller, sealer, dialog)
    s = await suggestions.get(db, int(state.get("sid", 0))) if state else None
    if (
        sealer is None
        or s is None
        or not await suggestions.is_author(db, sealer, s.id, caller.member.id)
    ):
        await dialogs.clear(db, caller.member.telegram_id)
        await send(update, context, _("This dialog expired. Please start again from the menu."))
        return
    message = update.effective_message
    text = clean_body(message.text if message else None)
    if isinstance(text, Problem):
        await send(update, context, text.render(_))
        return
    if s.anonymous:
        # Sealed into the mixing pool; the thread shows it from the next release.
        kind = "reply" if dialog.step == "answer" else "comment"
        done = dialog.step != "answer" or s.accepts_replies
        if done:
            await _pool(context, sealer, {"k": kind, "sid": s.id, "t": text})
        await dialogs.clear(db, caller.member.telegram_id)
    else:
        now = context.clock.time()
        async with db.transaction() as tx:
            if dialog.step == "answer":
                done = await lifecycle.author_answer(tx, s, text, at=now, release_at=now)
            else:
                done = await lifecycle.comment_rating(tx, s.id, text, release_at=now)
            await dialogs.clear(tx, caller.member.telegram_id)
    if dialog.step != "answer":
        home = keyboard([[button(_("🏠 Main menu"), HOME)]])
        await send(update, context, _("Thank you for your feedback."), home)
        return
    if not done:
        await send(update, context, _(NO_ANSWERS))
        return
    markup = keyboard([[button(_("📂 Open {ref}", ref=s.ref), cb(NS, "o", s.id))]])
    note = _("✅ Your answer was added to {ref}.", ref=s.ref)
    if s.anonymous:
        note += "\n" + _("Officers see it at the next collection time, which keeps you anonymous.")
    await send(update, context, note, markup)
    if not s.anonymous:
        # In full (at most MAX_TEXT): the notice is where officers first read it.
        await tell_officers(
            context, s, N_("The author wrote back:\n{text}"), owner_first=True, text=text
        )


def register(app: BotApp, registry: Registry) -> None:
    """Add the "My suggestions" buttons, the answer dialog and the menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(KIND, DialogRoute(on_text=on_text, cancel_note=N_("Nothing was sent.")))
    registry.add_menu(MenuEntry(N_("📬 My suggestions"), cb(NS, "mine", 0), "member", 42))
