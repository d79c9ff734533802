"""The typed services every handler reaches through its context (no raw dicts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.i18n import I18n
from bot.screen_memory import ScreenMemory
from storage.db import Database
from storage.updates import Arrival

if TYPE_CHECKING:
    from bot.delivery import Delivery, Timer
    from bot.sealing import Sealer


class Services:
    """Long-lived resources; PTB creates it empty, wiring fills it in."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._i18n: I18n | None = None
        self._db: Database | None = None
        self.clock: Clock = SystemClock()
        self.bot_username: str = ""
        #: The outbox dispatcher (bot.delivery), set in post_init.
        self.delivery: Delivery | None = None
        #: How the delivery engine paces itself: real time unless a test injects its own.
        self.pacing: Timer | None = None
        #: The relay cipher for anonymous suggestions (bot.sealing), set in post_init.
        self.sealer: Sealer | None = None
        #: What the bot last put on the messages it edits (no edit that changes nothing).
        self.screens = ScreenMemory()

    def configure(self, settings: Settings, i18n: I18n, clock: Clock) -> None:
        """Set what is known before the event loop runs."""
        self._settings, self._i18n, self.clock = settings, i18n, clock

    @property
    def settings(self) -> Settings:
        """Validated configuration."""
        assert self._settings is not None, "Services.configure was not called"
        return self._settings

    @property
    def i18n(self) -> I18n:
        """Translation catalogs."""
        assert self._i18n is not None, "Services.configure was not called"
        return self._i18n

    @property
    def db(self) -> Database:
        """The open database (available after post_init)."""
        assert self._db is not None, "database is not open yet"
        return self._db

    @db.setter
    def db(self, value: Database) -> None:
        self._db = value


    @property
    def db_open(self) -> bool:
        """Whether post_init has opened the database."""
        return self._db is not None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Services]):
    """CallbackContext with typed shortcuts to the services."""

    #: The sender as the duplicate check read them (handlers.guards), for get_caller.
    arrival: Arrival | None = None

    @property
    def services(self) -> Services:
        """All long-lived services."""
        return self.bot_data

    @property
    def db(self) -> Database:
        """The open database."""
        return self.bot_data.db

    @property
    def clock(self) -> Clock:
        """The injected clock."""
        return self.bot_data.clock

    @property
    def settings(self) -> Settings:
        """Validated configuration."""
        return self.bot_data.settings


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], Services, Any]
