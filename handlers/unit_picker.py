"""A reusable screen to browse the unit tree and pick one unit with buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Translate, raw
from bot.services import BotContext
from handlers.common import Caller, show
from handlers.keyboards import button, cb, keyboard
from handlers.routing import STALE, Action, Args, Routes
from storage import roles, units
from storage.db import Executor
from storage.units import Unit


class UnitTree:
    """The whole tree in memory: unions have hundreds of units, not millions."""

    def __init__(self, all_units: Sequence[Unit]) -> None:
        self.by_id = {u.id: u for u in all_units}
        self.kids: dict[int | None, list[Unit]] = {}
        for u in sorted(all_units, key=lambda u: (u.name, u.id)):
            self.kids.setdefault(u.parent_id, []).append(u)

    @classmethod
    async def load(cls, db: Executor) -> UnitTree:
        """Read every unit."""
        return cls(await units.all_units(db))

    def parents(self) -> dict[int | None, int | None]:
        """Each unit's parent (None for a root): the tree surveys.disclosure pools along."""
        return {u.id: u.parent_id for u in self.by_id.values()}

    def subtree(self, unit_id: int) -> set[int]:
        """The unit and its descendants."""
        out, todo = set(), [unit_id]
        while todo:
            uid = todo.pop()
            if uid in out:
                continue
            out.add(uid)
            todo.extend(k.id for k in self.kids.get(uid, []))
        return out

    def can_browse(self, unit_id: int | None, allowed: set[int] | None = None) -> bool:
        """Whether a picker may open this unit (0/None: the top): it exists and holds a choice."""
        if not unit_id:
            return True
        if unit_id not in self.by_id:
            return False
        return allowed is None or bool(self.subtree(unit_id) & allowed)

    def path(self, unit_id: int) -> str:
        """Breadcrumb "company / branch / group"."""
        names: list[str] = []
        seen: set[int] = set()
        current = self.by_id.get(unit_id)
        while current is not None and current.id not in seen:
            seen.add(current.id)
            names.append(current.name)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return " / ".join(reversed(names))

    def outline(self, limit: int = 200) -> list[tuple[int, Unit]]:
        """(depth, unit) in depth-first order, for a text view of the tree."""
        out: list[tuple[int, Unit]] = []

        def walk(parent: int | None, depth: int) -> None:
            for unit in self.kids.get(parent, []):
                if len(out) >= limit:
                    return
                out.append((depth, unit))
                walk(unit.id, depth + 1)

        walk(None, 0)
        return out


def picker_markup(
    tree: UnitTree,
    _: Translate,
    *,
    ns: str,
    parent_id: int | None,
    allowed: set[int] | None = None,
    suffix: Sequence[object] = (),
    extra: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """Buttons for the children of parent_id: browse `ns:ub:<id>`, choose `ns:uc:<id>`.

    With `allowed`, only units the caller may pick are choosable, and only
    branches that contain such units are shown.
    """
    layout: list[list[InlineKeyboardButton]] = []

    def visible(unit: Unit) -> bool:
        return allowed is None or bool(tree.subtree(unit.id) & allowed)

    def choosable(unit_id: int) -> bool:
        return allowed is None or unit_id in allowed

    if parent_id is not None and choosable(parent_id):
        here = tree.by_id[parent_id]
        layout.append(
            [button(_("✔ Choose {unit}", unit=raw(here.name)), cb(ns, "uc", parent_id, *suffix))]
        )
    for child in tree.kids.get(parent_id, []):
        if not visible(child):
            continue
        if tree.kids.get(child.id):
            layout.append([button(f"📂 {child.name}", cb(ns, "ub", child.id, *suffix))])
        elif choosable(child.id):
            layout.append([button(child.name, cb(ns, "uc", child.id, *suffix))])
    if parent_id is not None:
        up = tree.by_id[parent_id].parent_id
        layout.append([button(_("⬆ Up"), cb(ns, "ub", up or 0, *suffix))])
    layout.extend(list(r) for r in extra)
    return keyboard(layout)


async def show_picker(
    update: Update,
    context: BotContext,
    caller: Caller,
    *,
    ns: str,
    parent: int | None,
    text: str,
    extra: Sequence[Sequence[InlineKeyboardButton]],
    allowed: set[int] | None = None,
) -> str | None:
    """Show the picker under parent (None: the top); the alert when it cannot be opened."""
    tree = await UnitTree.load(context.db)
    if parent is not None and not tree.can_browse(parent, allowed):
        return caller._(STALE)
    markup = picker_markup(
        tree, caller._, ns=ns, parent_id=parent or None, allowed=allowed, extra=extra
    )
    await show(update, context, text, markup)
    return None


#: Rows a picker shows above its Back row, drawn in the caller's language.
ExtraRows = Callable[[Translate], list[list[InlineKeyboardButton]]]


def picker_routes(
    routes: Routes,
    start: str,
    text: str,
    back: str,
    *,
    scoped: bool = False,
    extra: ExtraRows | None = None,
) -> None:
    """Declare the buttons that open a picker: `start` (the top) and "ub" (browse into).

    `text` is the msgid above the units, `back` the Back row's callback data; `scoped`
    offers only the units the caller looks after.
    """

    async def pick(
        update: Update, context: BotContext, caller: Caller, parent: int | None
    ) -> str | None:
        _ = caller._
        rows = [*(extra(_) if extra else []), [button(_("⬅ Back"), back)]]
        allowed = None
        if scoped:
            allowed = set(await roles.scope_unit_ids(context.db, caller.member.id))
        return await show_picker(
            update, context, caller, ns=routes.ns, parent=parent, text=_(text), extra=rows,
            allowed=allowed,
        )  # fmt: skip

    async def top(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
        return await pick(update, context, caller, None)

    async def browse(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
        return await pick(update, context, caller, args.num(0))

    routes.add(Action(start, top, routes.need, ()))
    routes.add(Action("ub", browse, routes.need, (int,)))
