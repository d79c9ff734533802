"""The officers' suggestion inbox: a filtered, paged list of the items in their units.

Filters travel in callback data as "status.category.unit.page"; the list only
ever contains units in the caller's scope and items already released to officers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, format_day, format_when
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, press, show, stale
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.suggestions.views import (
    CLOSED_BOX,
    OFFICER_NS,
    SUPERVISION_NS,
    category_label,
    sealer_of,
)
from handlers.suggestions.views import INBOX_NS as NS
from handlers.unit_picker import UnitTree
from storage import roles, suggestions

PER_PAGE = 8
STATUS_CODES = {"n": "new", "p": "in_progress", "a": "answered", "c": "closed", "o": "overdue"}
CHIPS = {
    "n": N_("🆕 New"),
    "p": N_("⏳ In progress"),
    "a": N_("💬 Answered"),
    "c": N_("✅ Closed"),
    "o": N_("⏰ Overdue"),
}


@dataclass(frozen=True, slots=True)
class Filter:
    """Inbox filters: status code, category index (None: all), unit (0: all), page."""

    status: str = "n"
    category: int | None = None
    unit: int = 0
    page: int = 0

    def token(self) -> str:
        """Encode for callback data (no ':' inside)."""
        category = "-" if self.category is None else str(self.category)
        return f"{self.status}.{category}.{self.unit}.{self.page}"

    @classmethod
    def parse(cls, raw: str | None) -> Filter | None:
        """Decode; None for anything forged."""
        parts = (raw or "").split(".")
        if len(parts) != 4 or parts[0] not in STATUS_CODES:
            return None
        numbers_ok = all(p.isdigit() and len(p) < 10 for p in parts[2:])
        if not numbers_ok or not (parts[1] == "-" or parts[1].isdigit()) or len(parts[1]) > 3:
            return None
        category = None if parts[1] == "-" else int(parts[1])
        return cls(parts[0], category, int(parts[2]), int(parts[3]))


def inbox_data(f: Filter | None = None) -> str:
    """Callback data that opens the inbox with these filters."""
    return cb(NS, "in", (f or Filter()).token())


async def _inbox(update: Update, context: BotContext, caller: Caller, f: Filter) -> None:
    _ = caller._
    db, now = context.db, context.clock.time()
    scope = await roles.scope_unit_ids(db, caller.member.id)
    tree = await UnitTree.load(db)
    unit_ids = sorted(set(scope) & tree.subtree(f.unit)) if f.unit else scope
    categories = context.settings.suggestion_categories
    category = (
        categories[f.category] if f.category is not None and f.category < len(categories) else None
    )
    query = suggestions.InboxQuery(unit_ids, STATUS_CODES[f.status], category)
    items, total = await suggestions.inbox(db, query, now, offset=f.page * PER_PAGE, limit=PER_PAGE)
    chips = [
        button(
            ("• " if code == f.status else "") + _(label),
            inbox_data(Filter(code, f.category, f.unit)),
        )
        for code, label in CHIPS.items()
    ]
    category_name = category_label(_, category) if category else _("all")
    unit_name = tree.by_id[f.unit].name if f.unit in tree.by_id else _("all")
    layout: list[list[InlineKeyboardButton]] = [
        chips[:3],
        chips[3:],
        [
            button(_("🏷 Category: {name}", name=category_name), cb(NS, "cf", f.token())),
            button(_("🏢 Unit: {name}", name=unit_name), cb(NS, "uf", f.token())),
        ],
    ]
    for s in items:
        mark = "⏰ " if s.overdue(now) else ""
        day = format_day(s.created_at, caller.locale, context.settings.tz)
        label = f"{mark}{s.ref} · {category_label(_, s.category)} · {day}"
        layout.append([button(label, cb(OFFICER_NS, "o", s.id, f.token()))])
    nav = [button("◀", inbox_data(replace(f, page=f.page - 1)))] if f.page > 0 else []
    if (f.page + 1) * PER_PAGE < total:
        nav.append(button("▶", inbox_data(replace(f, page=f.page + 1))))
    layout += [
        nav,
        [
            button(_("📊 Figures"), cb(SUPERVISION_NS, "dash")),
            button(_("📤 Export"), cb(SUPERVISION_NS, "exp")),
        ],
        [
            button(_("🔇 Muted authors"), cb(SUPERVISION_NS, "mutes")),
            button(_("⏱ Deadlines"), cb(SUPERVISION_NS, "dl")),
        ],
        [button(_("⬅ Back"), cb("m", "off"))],
    ]
    settings = context.settings
    release = suggestions.next_release(now, settings.anonymous_digest_times, settings.tz)
    text = (
        _(
            "📥 <b>Suggestion inbox</b> · {status}\n{count} items.",
            status=_(CHIPS[f.status]),
            count=total,
        )
        + "\n"
        + _(
            "🕓 Next release of anonymous items: {when}",
            when=format_when(release, caller.locale, settings.tz),
        )
    )
    await show(update, context, text, keyboard(layout))


async def _pick(update: Update, context: BotContext, caller: Caller, f: Filter, what: str) -> None:
    _ = caller._
    layout: list[list[InlineKeyboardButton]] = []
    if what == "cf":
        layout.append([button(_("all"), inbox_data(replace(f, category=None, page=0)))])
        for i, c in enumerate(context.settings.suggestion_categories):
            layout.append(
                [button(category_label(_, c), inbox_data(replace(f, category=i, page=0)))]
            )
    else:
        scope = set(await roles.scope_unit_ids(context.db, caller.member.id))
        tree = await UnitTree.load(context.db)
        layout.append([button(_("all"), inbox_data(replace(f, unit=0, page=0)))])
        for depth, unit in tree.outline(40):
            if unit.id in scope:
                label = "　" * min(depth, 3) + unit.name
                layout.append([button(label, inbox_data(replace(f, unit=unit.id, page=0)))])
    layout.append([button(_("⬅ Back"), inbox_data(f))])
    await show(update, context, _("Filter the inbox:"), keyboard(layout))


async def on_button(update: Update, context: BotContext) -> None:
    """Show the inbox or a filter picker (officers only, scope read on every press)."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    if sealer_of(context) is None:
        await answer(update, caller._(CLOSED_BOX), alert=True)
        return
    f = Filter.parse(data.args[0] if data.args else None)
    if f is None or data.action not in ("in", "cf", "uf"):
        await stale(update, caller)
        return
    await answer(update)
    if data.action == "in":
        await _inbox(update, context, caller, f)
    else:
        await _pick(update, context, caller, f, data.action)


def register(app: BotApp, registry: Registry) -> None:
    """Add the inbox buttons and the officer-menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("📥 Suggestion inbox"), inbox_data(), "officer", 20))
