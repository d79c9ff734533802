"""The real Application wired to the in-process sandbox: simulate members, read what they see."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application, start_app, stop_app
from bot.config import load_settings
from bot.sandbox.core import BotMessage, Limits, SandboxCore
from bot.sandbox.request import SandboxRequest
from bot.services import BotApp
from storage import members, roles, units
from storage.db import Database
from storage.members import Member
from tests.timers import FakeClock, OffsetTimer

TOKEN = "123456:HARNESS-TOKEN-abcdef"
#: 32 random bytes, base64url (secrets.token_urlsafe(32)), for features that seal data.
RELAY_KEY = "VmIb2fwJbBcdCS26YKu62xs0XPq8BxO33GNNFup-wlc"
#: Another random key: the right shape, but not the one a database was sealed with.
WRONG_RELAY_KEY = "Niukg1AJTlvM7JSbJEC1VmAq9u4juVluHO1BXUIBVmA"


class Harness:
    """One bot, one database file, one fake Telegram; restartable like a real deploy."""

    def __init__(
        self, tmp_path: Path, *, core: SandboxCore | None = None, **settings: Any
    ) -> None:
        self.tmp_path = tmp_path
        self.clock = FakeClock()
        # Handler tests check what members see, not flood control: no rate limits here
        # (tests/e2e and benchmarks run with them on). A second "process" on the same
        # database passes the first one's core: both talk to the same Telegram.
        self.core = core or SandboxCore(
            TOKEN, "union_test_bot", limits=Limits(enabled=False), wall_clock=self.clock.time
        )
        overrides: dict[str, Any] = {
            "telegram_bot_token": TOKEN,
            "database_path": tmp_path / "bot.sqlite3",
            "admin_ids": (),
            "relay_key": RELAY_KEY,
            "bot_api_base_url": "http://sandbox.invalid/bot",
            "bot_api_base_file_url": "http://sandbox.invalid/file/bot",
        }
        overrides.update(settings)
        self.settings = load_settings(**overrides)
        self.app: BotApp = self._build()

    def _build(self) -> BotApp:
        return build_application(
            self.settings,
            request=SandboxRequest(self.core),
            updates_request=SandboxRequest(self.core),
            clock=self.clock,
            rate_limit=False,
            pacing=OffsetTimer(self.clock),
        )

    async def start(self) -> Harness:
        """Initialise the bot (getMe, database, jobs) without polling: tests feed updates."""
        await start_app(self.app, polling=False)
        return self

    async def stop(self) -> None:
        """Shut the bot down (closes the database)."""
        await stop_app(self.app)

    async def restart(self) -> None:
        """Stop and build a fresh Application on the same database: a redeploy."""
        await self.stop()
        self.app = self._build()
        await self.start()

    @property
    def db(self) -> Database:
        """The bot's open database."""
        return self.app.bot_data.db

    # --- people ---------------------------------------------------------------------------

    def user(self, user_id: int, name: str = "", language_code: str = "zh-hans") -> int:
        """Add a simulated Telegram user (idempotent) and return their id."""
        try:
            self.core.user(user_id)
        except Exception:
            self.core.add_user(user_id, name or f"User{user_id}", language_code=language_code)
        return user_id

    async def member(
        self,
        user_id: int,
        name: str,
        unit_id: int | None,
        *,
        language: str = "zh_CN",
        role: str | None = None,
        role_unit: int | None = None,
    ) -> Member:
        """A verified member seeded directly in storage (role: None, "officer" or "admin")."""
        self.user(user_id, name, "en" if language == "en" else "zh-hans")
        now = self.clock.time()
        async with self.db.transaction() as tx:
            m = await members.touch(tx, user_id, user_id, language, now)
            await members.update_profile(tx, m.id, name=name, unit_id=unit_id, language=language)
            await members.set_status(tx, m.id, "verified", now)
            if role == "admin":
                await roles.grant(tx, m.id, "admin", None, None, now)
            elif role == "officer":
                await roles.grant(tx, m.id, "officer", role_unit or unit_id, None, now)
        found = await members.by_telegram_id(self.db, user_id)
        assert found is not None
        return found

    async def tree(self) -> dict[str, int]:
        """The standard test union: company > (branch1 > group1), (branch2 > group2)."""
        now = self.clock.time()
        company = await units.create(self.db, "公司工会", None, now)
        b1 = await units.create(self.db, "第一分工会", company.id, now)
        b2 = await units.create(self.db, "第二分工会", company.id, now)
        g1 = await units.create(self.db, "装配小组", b1.id, now)
        g2 = await units.create(self.db, "仓储小组", b2.id, now)
        return {
            "company": company.id,
            "branch1": b1.id,
            "branch2": b2.id,
            "group1": g1.id,
            "group2": g2.id,
        }

    # --- acting as a person ---------------------------------------------------------------

    async def drain(self) -> int:
        """Process every queued update in order, as PTB's update fetcher would."""
        handled = 0
        while self.core.pending_updates:
            raw = self.core.peek_update()
            assert raw is not None
            self.core.pop_update(raw)
            await self.app.process_update(Update.de_json(raw, self.app.bot))
            handled += 1
        return handled

    async def _after(self, user_id: int, before: int) -> list[BotMessage]:
        await self.drain()
        return [m for m in self.core.messages_for(user_id) if m.message_id > before]

    def _last_id(self, chat_id: int) -> int:
        msgs = self.core.messages_for(chat_id)
        return msgs[-1].message_id if msgs else 0

    async def send(self, user_id: int, text: str) -> list[BotMessage]:
        """The user types text (or a /command); returns the new messages they got."""
        before = self._last_id(user_id)
        self.core.user_send_text(user_id, text)
        return await self._after(user_id, before)

    async def press(self, user_id: int, label: str, message_id: int | None = None) -> BotMessage:
        """Press a button by its exact label (last message with buttons by default).

        Returns the message the user looks at afterwards: the edited one, or the newest.
        """
        before = self._last_id(user_id)
        self.core.user_press_button(user_id, label, message_id=message_id)
        new = await self._after(user_id, before)
        return new[-1] if new else self.screen(user_id)

    async def press_data(self, user_id: int, data: str, message_id: int | None = None) -> str:
        """Press with arbitrary callback data (forged on purpose); returns the answer text."""
        msg_id = message_id or self._last_with_buttons(user_id).message_id
        before = self._last_id(user_id)
        query_id = self.core.user_press(user_id, msg_id, data)
        await self._after(user_id, before)
        answer = self.core.callback_answer(query_id)
        return (answer.text or "") if answer is not None else ""

    async def press_labelled(self, user_id: int, fragment: str) -> BotMessage:
        """Press the first button whose label contains fragment."""
        msg = self._last_with_buttons(user_id)
        for button in msg.buttons:
            if fragment in str(button.get("text", "")):
                return await self.press(user_id, str(button["text"]), msg.message_id)
        raise AssertionError(f"no button containing {fragment!r} in {self.labels(user_id)}")

    async def upload(self, user_id: int, filename: str, content: bytes) -> list[BotMessage]:
        """The user sends a document."""
        before = self._last_id(user_id)
        self.core.user_send_document(user_id, filename, content)
        return await self._after(user_id, before)

    async def photo(self, user_id: int, caption: str | None = None) -> list[BotMessage]:
        """The user sends a photo."""
        before = self._last_id(user_id)
        self.core.user_send_photo(user_id, caption)
        return await self._after(user_id, before)

    async def sticker(self, user_id: int) -> list[BotMessage]:
        """The user sends a sticker."""
        before = self._last_id(user_id)
        self.core.user_send_sticker(user_id)
        return await self._after(user_id, before)

    async def at_once(self, actions: Iterable[tuple[int, str]]) -> None:
        """Many users press buttons (label) at the same moment; handled concurrently."""
        raws = []
        for user_id, label in actions:
            self.core.user_press_button(user_id, label)
        while self.core.pending_updates:
            raw = self.core.peek_update()
            assert raw is not None
            self.core.pop_update(raw)
            raws.append(raw)
        await asyncio.gather(
            *(self.app.process_update(Update.de_json(r, self.app.bot)) for r in raws)
        )

    # --- what the user sees ---------------------------------------------------------------

    def messages(self, user_id: int) -> list[BotMessage]:
        """Every visible bot message in the user's private chat."""
        return self.core.visible_messages(user_id)

    def screen(self, user_id: int) -> BotMessage:
        """The newest visible message."""
        msg = self.core.last_message(user_id)
        assert msg is not None, f"user {user_id} has no messages"
        return msg

    def _last_with_buttons(self, user_id: int) -> BotMessage:
        for msg in reversed(self.messages(user_id)):
            if msg.buttons:
                return msg
        raise AssertionError(f"user {user_id} has no message with buttons")

    def labels(self, user_id: int) -> list[str]:
        """Button labels of the newest message with buttons."""
        return [str(b.get("text")) for b in self._last_with_buttons(user_id).buttons]

    def texts(self, user_id: int) -> list[str]:
        """Plain texts of all visible messages, oldest first."""
        return [m.text for m in self.messages(user_id)]
