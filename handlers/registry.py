"""Per-application registry: dialog routes and menu entries that features add."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from telegram import Update

from bot.services import BotContext
from handlers.common import Caller
from storage.dialogs import Dialog

DialogHandler = Callable[[Update, BotContext, Caller, Dialog], Awaitable[None]]
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


@dataclass(slots=True)
class Registry:
    """Collected while handlers register; read on every update."""

    dialogs: dict[str, DialogRoute] = field(default_factory=dict)
    menu: list[MenuEntry] = field(default_factory=list)
    commands: list[CommandEntry] = field(default_factory=list)

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
