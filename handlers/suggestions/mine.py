"""Members follow their suggestions: list, thread, answer back, withdraw, rate the handling.

Anonymous items are found through the member's sealed index and proven theirs
by opening the item's seal on every press; what an anonymous author does is
stored at day precision and shown to officers from the next digest time.
"""

from __future__ import annotations

import html

from telegram import Update

from bot.i18n import N_, format_when
from bot.sealing import Sealer
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, send, show
from handlers.keyboards import button, keyboard, paginate
from handlers.lookup import on_item
from handlers.menu import HOME
from handlers.registry import DialogRoute, MenuEntry, Registry
from handlers.routing import STALE, Args, Routes, Word
from handlers.suggestions.views import (
    CLOSED_BOX,
    NO_ANSWERS,
    category_label,
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
    typed_body,
)
from handlers.suggestions.views import MINE_NS as NS
from storage import dialogs, suggestions
from storage.dialogs import Dialog
from storage.suggestions import MAX_TEXT, Suggestion, commands

KIND = "suggest_thread"
PER_PAGE = 8


AT_RELEASE = N_(
    "🕓 Noted. It takes effect at the next collection time, together with other members' "
    "actions, which keeps you anonymous."
)


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
        update, context, text, keyboard([[button(_("⬅ My suggestions"), routes.data("mine", 0))]])
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
                routes.data("o", s.id),
            )
        ]
        for s in items[start:end]
    ]
    nav = [button("◀", routes.data("mine", page - 1))] if start > 0 else []
    nav += [button("▶", routes.data("mine", page + 1))] if end < len(items) else []
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
    layout = [page_buttons(_, page, older, lambda n: routes.data("pg", s.id, n))]
    if s.accepts_replies and any(m.side == "officer" and m.kind == "text" for m in msgs):
        layout.append([button(_("💬 Answer"), routes.data("ans", s.id))])
    if s.withdrawable:
        layout.append([button(_("↩️ Withdraw"), routes.data("wd", s.id))])
    if s.status == "closed" and not s.rated:
        layout.append([button("⭐" * n, routes.data("r", s.id, n)) for n in (1, 2, 3)])
        layout.append([button("⭐" * n, routes.data("r", s.id, n)) for n in (4, 5)])
    layout.append([button(_("⬅ My suggestions"), routes.data("mine", 0))])
    await show(update, context, text, keyboard(layout))


#: "My suggestions" buttons; authorship is proven on every press.
routes = Routes(NS, need="verified")


@routes.action("mine", args=(int,), optional=1)
async def on_list(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The caller's items, a page at a time."""
    sealer = sealer_of(context)
    if sealer is None:
        return caller._(CLOSED_BOX)
    await _list(update, context, caller, sealer, int(args.get(0, 0) or 0))
    return None


#: The sealer and an item the caller wrote.
Own = tuple[Sealer, Suggestion]


async def _own(context: BotContext, caller: Caller, sid: int) -> Own | str:
    """The sealer and the item when the caller wrote it; else the alert."""
    sealer = sealer_of(context)
    if sealer is None:
        return caller._(CLOSED_BOX)
    s = await suggestions.get(context.db, sid)
    if s is None or not await suggestions.is_author(context.db, sealer, s.id, caller.member.id):
        return caller._(STALE)  # someone else's item looks exactly like a missing one
    return sealer, s


_on_own = on_item(_own)


@routes.action("o", args=(int,))
async def on_open(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """One item: its thread, or the note that it waits for the next release."""
    sealer = sealer_of(context)
    if sealer is not None and await suggestions.get(context.db, args.num(0)) is None:
        waiting = [w for w in await _waiting(context, caller, sealer) if w.id == args.num(0)]
        if waiting:
            await _view_waiting(update, context, caller, waiting[0])
            return None
    found = await _own(context, caller, args.num(0))
    if isinstance(found, str):
        return found
    await _view(update, context, caller, found[1])
    return None


@routes.action("pg", args=(int, int), optional=1)
@_on_own
async def on_page(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Own
) -> str | None:
    """An older page of the thread."""
    await _view(update, context, caller, found[1], page=int(args.get(1, 0) or 0))
    return None


@routes.action("ans", args=(int, Word(choices=("new",))), optional=1)
@_on_own
async def on_answer(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Own
) -> str | None:
    """Ask for the answer ("new": under an officer's reply, as a new message)."""
    _ = caller._
    sealer, s = found
    if not s.accepts_replies:
        return _(NO_ANSWERS)
    await save_sealed(context, caller, sealer, KIND, "answer", {"sid": s.id})
    text = _(
        "✏️ Write your answer to {ref} (at most {limit} characters).", ref=s.ref, limit=MAX_TEXT
    )
    markup = keyboard([[button(_("⬅ Back"), routes.data("o", s.id))]])
    await (send if args.get(1) == "new" else show)(update, context, text, markup)
    return None


@routes.action("wd", args=(int,))
@_on_own
async def on_withdraw(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Own
) -> str | None:
    """Confirm withdrawing."""
    _ = caller._
    s = found[1]
    layout = [
        [button(_("↩️ Yes, withdraw it"), routes.data("wdy", s.id))],
        [button(_("⬅ Back"), routes.data("o", s.id))],
    ]
    text = _("Withdraw {ref}? Officers will see it as withdrawn and cannot answer it.", ref=s.ref)
    await show(update, context, text, keyboard(layout))
    return None


@routes.action("wdy", args=(int,))
@_on_own
async def on_withdraw_yes(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Own
) -> str | None:
    """Withdraw (an anonymous item: at the next release, with other members' actions)."""
    _ = caller._
    sealer, s = found
    if s.anonymous:
        await commands.pool(context.db, sealer, {"k": "withdraw", "sid": s.id})
        await _view(update, context, caller, s, _(AT_RELEASE))
        return None
    done = await commands.withdraw(context.db, caller.member.id, s, context.clock.time())
    await _view(update, context, caller, await suggestions.get(context.db, s.id) or s)
    return None if done else _("It was answered already, so it can no longer be withdrawn.")


@routes.action("r", args=(int, int))
async def on_rate(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Rate a closed item 1-5, then offer a comment."""
    _ = caller._
    found = await _own(context, caller, args.num(0))
    stars = args.num(1)
    if isinstance(found, str) or not 1 <= stars <= 5:
        return found if isinstance(found, str) else _(STALE)
    sealer, s = found
    if s.anonymous:
        done = s.status == "closed" and not s.rated
        if done:
            await commands.pool(context.db, sealer, {"k": "rate", "sid": s.id, "n": stars})
    else:
        done = await commands.rate(context.db, s.id, stars, context.clock.time())
    if not done:
        return _("This item cannot be rated (again).")
    await answer(update, _("Thank you!"))
    await save_sealed(context, caller, sealer, KIND, "comment", {"sid": s.id})
    text = _("⭐ You rated {stars}/5. Add a comment? Type it now, or press Skip.", stars=stars)
    await show(update, context, text, keyboard([[button(_("Skip"), routes.data("rs", s.id))]]))
    return None


@routes.action("rs", args=(int,))
@_on_own
async def on_skip(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Own
) -> str | None:
    """No comment on the rating."""
    _ = caller._
    await dialogs.clear(context.db, caller.member.telegram_id)
    home = keyboard([[button(_("🏠 Main menu"), HOME)]])
    await show(update, context, _("Thank you for your feedback."), home)
    return None


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
    text = await typed_body(update, context, caller)
    if text is None:
        return
    if s.anonymous:
        # Sealed into the mixing pool; the thread shows it from the next release.
        kind = "reply" if dialog.step == "answer" else "comment"
        done = dialog.step != "answer" or s.accepts_replies
        if done:
            await commands.pool(db, sealer, {"k": kind, "sid": s.id, "t": text})
        await dialogs.clear(db, caller.member.telegram_id)
    else:
        now, telegram_id = context.clock.time(), caller.member.telegram_id
        done = await commands.author_text(db, telegram_id, s, dialog.step, text, now)
    if dialog.step != "answer":
        home = keyboard([[button(_("🏠 Main menu"), HOME)]])
        await send(update, context, _("Thank you for your feedback."), home)
        return
    if not done:
        await send(update, context, _(NO_ANSWERS))
        return
    markup = keyboard([[button(_("📂 Open {ref}", ref=s.ref), routes.data("o", s.id))]])
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
    routes.install(app)
    registry.dialog(KIND, DialogRoute(on_text=on_text, cancel_note=N_("Nothing was sent.")))
    registry.add_menu(MenuEntry(N_("📬 My suggestions"), routes.data("mine", 0), "member", 42))
