"""Shared by the member and officer sides of the suggestion box: labels, threads, relays.

Rules that protect anonymous authors live here once: officers never see who
wrote an anonymous item, its author-side times show the day only, and the
dialog state of a member composing or answering is sealed.
"""

from __future__ import annotations

import html
import logging
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.i18n import N_, Translate, format_day, format_when, raw
from bot.sealing import Sealer
from bot.services import BotContext
from handlers.common import Caller, notify, send, translator_for
from handlers.keyboards import button, cb, keyboard
from handlers.unit_picker import UnitTree
from handlers.validation import Problem, clean_text
from storage import dialog_screens, dialogs, members, mixing, roles, suggestions
from storage.dialogs import Dialog
from storage.suggestions import MAX_TEXT, Message, Suggestion
from storage.suggestions import reports as suggestion_reports

log = logging.getLogger(__name__)

COMPOSE_NS = "sg"
MINE_NS = "sm"
INBOX_NS = "si"
OFFICER_NS = "so"
SUPERVISION_NS = "sq"
#: Telegram allows 4096 characters per message; the rest is room for markup.
MAX_SCREEN = 3800

#: The default categories (bot.config lists the same English msgids).
DEFAULT_CATEGORIES = (
    N_("Wages and benefits"),
    N_("Safety"),
    N_("Canteen and living"),
    N_("Training and promotion"),
    N_("Management"),
    N_("Other"),
)
STATUS_LABELS = {
    "new": N_("🆕 New"),
    "in_progress": N_("⏳ In progress"),
    "answered": N_("💬 Answered"),
    "closed": N_("✅ Closed"),
    "withdrawn": N_("↩️ Withdrawn"),
}
CLOSED_BOX = N_("The suggestion box is not open yet. Please try again later.")
DAILY_LIMIT = N_(
    "You have sent {count} suggestions today, the daily limit. Please try again tomorrow."
)
PAUSED = N_(
    "Sorry, anonymous suggestions from you are paused by the union. "
    "You can still send this one with your name."
)
NO_ANSWERS = N_("This item no longer takes answers.")


def clean_body(raw_text: str | None) -> str | Problem:
    """Free text for a suggestion or reply: as clean_text, and not made only of invisible marks."""
    text = clean_text(raw_text, MAX_TEXT)
    if isinstance(text, str) and all(unicodedata.category(c)[0] in "ZCM" for c in text):
        return Problem(N_("The text is empty. Please send some text."))
    return text


async def typed_body(update: Update, context: BotContext, caller: Caller) -> str | None:
    """The typed text, cleaned as clean_body; None after telling the member what is wrong."""
    message = update.effective_message
    body = clean_body(message.text if message else None)
    if isinstance(body, Problem):
        await send(update, context, body.render(caller._))
        return None
    return body


def sealer_of(context: BotContext) -> Sealer | None:
    """The relay cipher; None when RELAY_KEY is not configured (the box is closed)."""
    return context.services.sealer


def category_label(_: Translate, label: str) -> str:
    """A category in the reader's language (custom labels are shown as configured)."""
    return _(label)


def status_label(_: Translate, status: str) -> str:
    """A status in the reader's language."""
    return _(STATUS_LABELS.get(status, status))


def title(_: Translate, s: Suggestion) -> str:
    """First line of any screen about one item."""
    icon = "☎️" if s.kind == "hotline" else "💡"
    return f"{icon} <b>{s.ref}</b> · {html.escape(category_label(_, s.category), quote=False)}"


def when(s: Suggestion, moment: float, locale: str, context: BotContext, *, author: bool) -> str:
    """A time about an item: the day only for an anonymous author's side."""
    tz = context.settings.tz
    if author and s.anonymous:
        return format_day(moment, locale, tz)
    return format_when(moment, locale, tz)


# --- sealed dialog state ------------------------------------------------------------------


def _dialog_context(caller: Caller) -> bytes:
    return f"dialog:{caller.member.telegram_id}".encode()


async def save_sealed(
    context: BotContext,
    caller: Caller,
    sealer: Sealer,
    kind: str,
    step: str,
    data: dict[str, Any],
    *,
    due: bool = False,
) -> None:
    """Store dialog state sealed and padded to one size: the dialogs row is keyed by the
    Telegram id, so neither its content nor its length may say what is being typed.

    `due`: the step is stored before its screen is drawn (see storage.dialog_screens)."""
    dialog = Dialog(kind, step, {"s": mixing.encode_draft(sealer, _dialog_context(caller), data)})
    if due:
        dialog_screens.due(dialog)
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())


def load_sealed(
    caller: Caller, sealer: Sealer | None, dialog: Dialog | None
) -> dict[str, Any] | None:
    """Open sealed dialog state; None when absent or sealed for someone else."""
    if sealer is None or dialog is None or not isinstance(dialog.data.get("s"), str):
        return None
    return mixing.decode_draft(sealer, _dialog_context(caller), dialog.data["s"])


# --- threads ------------------------------------------------------------------------------


def _event_text(_: Translate, body: str, names: dict[int, str]) -> str:
    what, _sep, value = body.partition(":")
    if what == "owner" and value.isdigit():
        return _("Now handled by {name}", name=names.get(int(value), "?"))
    if what == "status":
        return _("Status: {status}", status=status_label(_, value))
    return html.escape(body, quote=False)


def thread_lines(
    _: Translate,
    context: BotContext,
    s: Suggestion,
    msgs: Sequence[Message],
    names: dict[int, str],
    *,
    for_author: bool,
    author_name: str = "",
) -> list[str]:
    """One paragraph per thread entry, oldest first."""
    lines: list[str] = []
    for m in msgs:
        stamp = when(s, m.at, _.locale, context, author=m.side == "author")
        if m.side == "author":
            who = _("You") if for_author else (author_name or _("Member"))
        else:
            who = names.get(m.officer_id or 0) or _("Union officer")
        if m.kind == "rating":
            text = _("⭐ Rated {stars}/5", stars=m.stars or 0)
            if m.body:
                text += raw("\n") + _("“{comment}”", comment=m.body)
        elif m.kind == "event":
            text = _event_text(_, m.body, names)
        else:
            text = html.escape(m.body, quote=False)
        lines.append(f"<i>{stamp}</i> · <b>{html.escape(who, quote=False)}</b>\n{text}")
    return lines


def fit(head: str, lines: list[str], title: str, page: int = 0) -> tuple[str, int, bool]:
    """One page of a thread, newest entries first: (text, page shown, older pages left).

    Page 0 has the full header and the newest entries that fit one Telegram message;
    older pages have the title and the entries before. Every entry is shown in full on
    some page, so a long thread pages instead of hiding replies.
    """
    pages: list[list[str]] = [[]]
    used = len(head)
    for line in reversed(lines):
        # A new page when this one is full; an entry longer than a page still gets one.
        if used + len(line) + 2 > MAX_SCREEN and (pages[-1] or len(pages) == 1):
            pages.append([])
            used = len(title)
        pages[-1].append(line)
        used += len(line) + 2
    page = max(0, min(page, len(pages) - 1))
    top = head if page == 0 else title
    return "\n\n".join([top, *reversed(pages[page])]), page, page + 1 < len(pages)


def page_buttons(
    _: Translate, page: int, older: bool, data: Callable[[int], str]
) -> list[InlineKeyboardButton]:
    """⬅ Earlier / Newer ➡ for a paged thread (`data(page)` is the button's callback data)."""
    row = [button(_("⬅ Earlier messages"), data(page + 1))] if older else []
    if page > 0:
        row.append(button(_("Newer messages ➡"), data(page - 1)))
    return row


async def officer_names(
    context: BotContext, msgs: Sequence[Message], *extra: int | None
) -> dict[int, str]:
    """Names of the officers who appear in a thread (never of an anonymous author)."""
    ids = [m.officer_id for m in msgs if m.officer_id]
    ids += [int(m.body[6:]) for m in msgs if m.body.startswith("owner:") and m.body[6:].isdigit()]
    ids += [i for i in extra if i]
    return await suggestion_reports.names(context.db, ids)


# --- messages to other people -------------------------------------------------------------


def open_button(_: Translate, s: Suggestion) -> InlineKeyboardMarkup:
    """A single button that opens the item for an officer."""
    return keyboard([[button(_("📂 Open {ref}", ref=s.ref), cb(OFFICER_NS, "o", s.id))]])


async def tell_officers(
    context: BotContext, s: Suggestion, msgid: str, *, owner_first: bool = False, **params: object
) -> None:
    """Notify the owner (if asked and set) or the unit's officers, each in their language.

    Only for named items: anonymous ones reach officers through the digest.
    """
    db = context.db
    targets = [s.owner_id] if owner_first and s.owner_id else []
    targets = targets or await roles.officers_for_unit(db, s.unit_id)
    tree = await UnitTree.load(db)
    for officer in await members.reachable(db, targets):
        _ = translator_for(context, officer)
        text = "\n".join(
            [title(_, s), _("🏢 {unit}", unit=tree.path(s.unit_id)), _(msgid, **params)]
        )
        await notify(context, officer.chat_id, text, open_button(_, s))


async def relay_to_author(
    context: BotContext,
    sealer: Sealer,
    s: Suggestion,
    msgid: str,
    buttons: str = "",
    **params: object,
) -> bool:
    """Send to the item's author in their language; False when it did not arrive.

    The author of an anonymous item is found through the seal, and nothing is
    written back on failure (no "unreachable" mark): a timestamp on the member
    row could be matched with the officer's action.
    """
    author_id = await suggestions.author_of(context.db, sealer, s.id)
    author = await members.by_id(context.db, author_id) if author_id is not None else None
    if author is None:
        return False
    _ = translator_for(context, author)
    rows = [[button(_("📂 Open {ref}", ref=s.ref), cb(MINE_NS, "o", s.id))]]
    if buttons == "reply":
        # "new": the prompt comes as a new message, so the reply it answers stays readable.
        rows.insert(0, [button(_("💬 Answer"), cb(MINE_NS, "ans", s.id, "new"))])
    elif buttons == "rate":
        rows[:0] = [
            [button("⭐" * n, cb(MINE_NS, "r", s.id, n)) for n in (1, 2, 3)],
            [button("⭐" * n, cb(MINE_NS, "r", s.id, n)) for n in (4, 5)],
        ]
    text = f"{title(_, s)}\n{_(msgid, **params)}"
    if not s.anonymous:
        return await notify(context, author.chat_id, text, keyboard(rows))
    try:
        await context.bot.send_message(
            author.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard(rows)
        )
    except (Forbidden, BadRequest):
        # This line names the item, so it must not name the person.
        log.info("a message about suggestion %s could not be delivered", s.ref)
        return False
    return True
