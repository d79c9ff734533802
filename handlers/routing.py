"""Declarative button routes: one table per callback namespace, every press checked in one place.

A feature declares its buttons once::

    routes = Routes("ev", need="verified")

    @routes.action("join", args=(int,))
    async def join(update, context, caller, args):
        ...  # args.num(0) is the event id, already parsed
        return None  # or a short text shown as an alert

and draws them with ``routes.data("join", event.id)``, which refuses an action that is
not declared.  The dispatcher checks who may press (``need``), parses the arguments
(a forged or stale press gets the translated "out of date" answer and changes nothing)
and answers the press exactly once.  ``ALL`` lists every namespace, so a test can check
that no two features share one and that no button can exceed Telegram's 64 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import Caller, Need, answer, press, refuse, send, stale
from handlers.keyboards import MAX_CALLBACK_BYTES, Cb, cb

#: Telegram shows at most 200 characters in a callback answer.
ALERT_MAX = 200
#: The widest number a button can carry (SQLite's largest rowid).
WIDEST_INT = str(2**63 - 1)
_ORDER: dict[Need, int] = {"anyone": 0, "verified": 1, "officer": 2, "admin": 3}


@dataclass(frozen=True, slots=True)
class Word:
    """A text argument: one of ``choices``, or any word of at most ``max_len`` safe characters."""

    max_len: int = 16
    choices: tuple[str, ...] = ()

    def parse(self, raw: str) -> str | None:
        """The argument, or None when it is not one this button can carry (forged)."""
        if self.choices:
            return raw if raw in self.choices else None
        ok = len(raw) <= self.max_len and re.fullmatch(r"[A-Za-z0-9_\-.]*", raw) is not None
        return raw if ok else None

    def widest(self) -> str:
        """The longest value, for the 64-byte check."""
        return max(self.choices, key=len) if self.choices else "x" * self.max_len


Spec = type[int] | Word


class Args(tuple[int | str, ...]):
    """A press's parsed arguments, typed by the route's spec."""

    __slots__ = ()

    def num(self, index: int) -> int:
        """The argument at index as a number (the spec said int)."""
        value = self[index]
        assert isinstance(value, int), f"argument {index} is not a number"
        return value

    def word(self, index: int) -> str:
        """The argument at index as text (the spec said Word)."""
        value = self[index]
        assert isinstance(value, str), f"argument {index} is not text"
        return value

    def get(self, index: int, default: int | str | None = None) -> int | str | None:
        """An optional argument, or default when the press did not carry it."""
        return self[index] if index < len(self) else default


#: A button handler: returns the text of an alert, or None when it showed its own screen.
ActionHandler = Callable[[Update, BotContext, Caller, Args], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Action:
    """One button: who may press it, what it carries, what it does."""

    name: str
    handler: ActionHandler
    need: Need
    args: tuple[Spec, ...]
    #: Trailing arguments a press may leave out.
    optional: int = 0
    #: Slow work (rankings, exports): answer the press first; a refusal then comes as a message.
    early: bool = False

    def parse(self, raw: Sequence[str]) -> Args | None:
        """Typed arguments, or None when the press is malformed (forged or from an old version)."""
        if not len(self.args) - self.optional <= len(raw) <= len(self.args):
            return None
        values: list[int | str] = []
        for spec, text in zip(self.args, raw, strict=False):
            if isinstance(spec, Word):
                word = spec.parse(text)
                if word is None:
                    return None
                values.append(word)
            elif text.lstrip("-").isdigit() and len(text) <= len(WIDEST_INT):
                values.append(int(text))
            else:
                return None
        return Args(values)

    def widest(self, ns: str) -> str:
        """The longest callback data this button can produce."""
        parts = [spec.widest() if isinstance(spec, Word) else WIDEST_INT for spec in self.args]
        return ":".join((ns, self.name, *parts))


#: Every namespace in the bot, filled as feature modules are imported.
ALL: dict[str, Routes] = {}

STALE = N_("This button is out of date. Please use the latest message.")


@dataclass(slots=True)
class Routes:
    """The button table of one callback namespace."""

    ns: str
    #: Who may press the namespace's buttons unless an action says otherwise.
    need: Need = "verified"
    actions: dict[str, Action] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ns in ALL:
            raise ValueError(f"callback namespace {self.ns!r} declared twice")
        ALL[self.ns] = self

    def action(
        self,
        name: str,
        *,
        need: Need | None = None,
        args: tuple[Spec, ...] = (),
        optional: int = 0,
        early: bool = False,
    ) -> Callable[[ActionHandler], ActionHandler]:
        """Declare a button; an action declared twice is a bug caught at import."""

        def declare(handler: ActionHandler) -> ActionHandler:
            self.add(Action(name, handler, need or self.need, args, optional, early))
            return handler

        return declare

    def add(self, action: Action) -> None:
        """Declare a button from a ready Action."""
        if action.name in self.actions:
            raise ValueError(f"button action {self.ns}:{action.name} declared twice")
        if ":" in action.name or not action.name:
            raise ValueError(f"bad action name {action.name!r}")
        self.actions[action.name] = action

    def data(self, name: str, *args: object) -> str:
        """Callback data for a declared action (an undeclared one is a bug, raised at once)."""
        if name not in self.actions:
            raise KeyError(f"button action {self.ns}:{name} is not declared")
        return cb(self.ns, name, *args)

    async def dispatch(self, update: Update, context: BotContext) -> None:
        """Check the press, parse its arguments, run the action, answer the press once."""
        lowest = min(
            (a.need for a in self.actions.values()), key=_ORDER.__getitem__, default=self.need
        )
        pressed = await press(update, context, lowest)
        if pressed is None:
            return
        caller, data = pressed
        await self.run(update, context, caller, data)

    async def run(self, update: Update, context: BotContext, caller: Caller, data: Cb) -> None:
        """Run a decoded press for a caller who may press at least this namespace's lowest need."""
        action = self.actions.get(data.action)
        args = action.parse(data.args) if action is not None else None
        if action is None or args is None:
            await stale(update, caller)
            return
        if not _allowed(caller, action.need):
            await refuse(update, caller)
            return
        if action.early:
            await answer(update)
        alert = await action.handler(update, context, caller, args)
        if action.early:
            if alert is not None:
                await send(update, context, alert)
            return
        if alert is not None and len(alert) > ALERT_MAX:
            alert = alert[: ALERT_MAX - 1] + "…"
        await answer(update, alert, alert=alert is not None)

    def install(self, app: BotApp, group: int = 0) -> None:
        """Add the namespace's one CallbackQueryHandler to the application."""
        app.add_handler(
            CallbackQueryHandler(self.dispatch, pattern=rf"^{re.escape(self.ns)}:"), group=group
        )


def _allowed(caller: Caller, need: Need) -> bool:
    """May this caller press a button that needs `need`."""
    return {
        "anyone": True,
        "verified": caller.member.verified,
        "officer": caller.is_officer,
        "admin": caller.is_admin,
    }[need]


def too_long() -> list[str]:
    """Every declared button whose widest data would exceed Telegram's limit."""
    return [
        f"{ns}:{name}"
        for ns, routes in ALL.items()
        for name, action in routes.actions.items()
        if len(action.widest(ns).encode()) > MAX_CALLBACK_BYTES
    ]
