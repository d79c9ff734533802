"""The officers' suggestion inbox: a filtered, paged list of the items in their units.

Filters travel in callback data as "status.category.unit.page"; the list only
ever contains units in the caller's scope and items already released to officers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, format_day, format_when
from bot.services import BotApp, BotContext
from handlers.common import Caller, show
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.routing import STALE, Action, Args, Routes, Word
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
    return routes.data("in", (f or Filter()).token())


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
            button(_("🏷 Category: {name}", name=category_name), routes.data("cf", f.token())),
            button(_("🏢 Unit: {name}", name=unit_name), routes.data("uf", f.token())),
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


#: Inbox buttons; officers only, scope read on every press.
routes = Routes(NS, need="officer")
#: The filter token is short in practice ("n.-.12.0"); capped so item buttons fit 64 bytes.
FILTER_MAX = 18


async def _open(
    update: Update, context: BotContext, caller: Caller, args: Args, what: str
) -> str | None:
    """The inbox ("in") or a filter picker ("cf", "uf") for the pressed filters."""
    if sealer_of(context) is None:
        return caller._(CLOSED_BOX)
    f = Filter.parse(args.word(0))
    if f is None:
        return caller._(STALE)
    if what == "in":
        await _inbox(update, context, caller, f)
    else:
        await _pick(update, context, caller, f, what)
    return None


async def on_inbox(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The filtered, paged inbox."""
    return await _open(update, context, caller, args, "in")


async def on_category(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Pick the category filter."""
    return await _open(update, context, caller, args, "cf")


async def on_unit(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Pick the unit filter."""
    return await _open(update, context, caller, args, "uf")


def register(app: BotApp, registry: Registry) -> None:
    """Add the inbox buttons and the officer-menu entry."""
    routes.install(app)
    registry.add_menu(MenuEntry(N_("📥 Suggestion inbox"), inbox_data(), "officer", 20))


for _name, _handler in (("in", on_inbox), ("cf", on_category), ("uf", on_unit)):
    routes.add(Action(_name, _handler, "officer", (Word(max_len=FILTER_MAX),)))
