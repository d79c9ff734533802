"""Per-application registry: what each feature declares in its `register(app, registry)`.

Dialogs, menu entries, commands, recurring jobs and delivery hooks are collected here and
read by the one wiring place (handlers.register, bot.scheduler, bot.delivery), so a
feature never needs its own entry in bot/.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from weakref import WeakKeyDictionary

from telegram import Update

from bot.delivery import Check, DeliveryHook, Listener
from bot.services import BotApp, BotContext, Services
from handlers.common import Caller
from storage.dialogs import Dialog

DialogHandler = Callable[[Update, BotContext, Caller, Dialog], Awaitable[None]]
#: Draw a dialog's current step as a new message, with no update to answer (at start).
DialogResume = Callable[[BotContext, Caller, Dialog], Awaitable[None]]
Audience = Literal["member", "officer", "admin"]


@dataclass(frozen=True, slots=True)
class DialogRoute:
    """How a dialog kind takes typed input; None means it does not accept that input."""

    on_text: DialogHandler | None = None
    on_media: DialogHandler | None = None
    #: Re-show the current step after input the step cannot use.
    reprompt: DialogHandler | None = None
    #: msgid telling the member what /cancel keeps (e.g. survey answers so far).
    cancel_note: str | None = None
    #: Send the current step when a crash lost its screen (see handlers.dialog_recover).
    resume: DialogResume | None = None


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A button on the member menu or the officer menu."""

    label: str  # msgid, translated when the menu is drawn
    data: str  # callback data the feature's handler routes on
    audience: Audience
    order: int


@dataclass(frozen=True, slots=True)
class CommandEntry:
    """A command shown in Telegram's command list for an audience."""

    command: str
    description: str  # msgid
    audience: Audience
    order: int


JobCallback = Callable[[BotContext], Coroutine[Any, Any, object]]


@dataclass(frozen=True, slots=True)
class JobEntry:
    """A recurring JobQueue job: it only wakes work that is stored as rows."""

    name: str
    callback: JobCallback
    interval: float
    first: float | None = None


class Feature(Protocol):
    """A feature package: one `register` declares all it adds to the bot."""

    def register(self, app: BotApp, registry: Registry) -> None:
        """Install handlers; declare dialogs, menu entries, commands, jobs, delivery hooks."""


@dataclass(slots=True)
class Registry:
    """Collected while handlers register; read on every update."""

    dialogs: dict[str, DialogRoute] = field(default_factory=dict)
    menu: list[MenuEntry] = field(default_factory=list)
    commands: list[CommandEntry] = field(default_factory=list)
    jobs: list[JobEntry] = field(default_factory=list)
    hooks: list[DeliveryHook] = field(default_factory=list)
    #: Run once at start: re-draw the dialog screens a stopped process left unsent.
    recoveries: list[JobCallback] = field(default_factory=list)

    def recovery(self, redraw: JobCallback) -> None:
        """Declare what re-draws this feature's unsent screens at start."""
        self.recoveries.append(redraw)

    def job(
        self, name: str, callback: JobCallback, interval: float, first: float | None = None
    ) -> None:
        """Declare a recurring job (bot.scheduler installs it)."""
        if any(j.name == name for j in self.jobs):
            raise ValueError(f"job {name!r} registered twice")
        self.jobs.append(JobEntry(name, callback, interval, first))

    def delivery_check(self, kind: str, check: Check) -> None:
        """Run `check` just before each row of `kind` is sent; False skips the row."""
        self.hooks.append(DeliveryHook(kind, check=check))

    def delivery_listener(self, kind: str, listener: Callable[[BotApp], Listener]) -> None:
        """Tell a listener (built with the app) how a broadcast of `kind` progresses."""
        self.hooks.append(DeliveryHook(kind, listener=listener))

    def add_command(self, entry: CommandEntry) -> None:
        """List a command in Telegram's command menu."""
        self.commands.append(entry)
        self.commands.sort(key=lambda e: e.order)

    def command_list(self, audience: Audience) -> list[CommandEntry]:
        """Commands for members, or for officers (members' plus their own)."""
        wanted = {"member"} if audience == "member" else {"member", "officer"}
        if audience == "admin":
            wanted.add("admin")
        return [c for c in self.commands if c.audience in wanted]

    def dialog(self, kind: str, route: DialogRoute) -> None:
        """Declare how typed input for a dialog kind is handled."""
        if kind in self.dialogs:
            raise ValueError(f"dialog kind {kind!r} registered twice")
        self.dialogs[kind] = route

    def add_menu(self, entry: MenuEntry) -> None:
        """Add a menu button."""
        self.menu.append(entry)
        self.menu.sort(key=lambda e: e.order)

    def entries(self, audience: Audience) -> list[MenuEntry]:
        """Entries for one menu, in order."""
        return [e for e in self.menu if e.audience == audience]


#: One registry per running application, looked up by its services (no field on Services:
#: bot/ must not depend on handlers/).
_REGISTRIES: WeakKeyDictionary[Services, Registry] = WeakKeyDictionary()


def attach(app: BotApp, registry: Registry) -> None:
    """Make `registry` the one that `registry_of` returns for this application."""
    _REGISTRIES[app.bot_data] = registry


def registry_of(context: BotApp | BotContext) -> Registry:
    """The registry the application's features filled."""
    return _REGISTRIES[context.bot_data]
