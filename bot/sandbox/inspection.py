"""What a test sees of the fake Telegram: messages, files, presses, counters, and waits."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable

from bot.sandbox.chats import commands_key
from bot.sandbox.models import BotMessage, CallbackAnswer, SandboxError, StoredFile
from bot.sandbox.state import JSON, CoreState


class Inspection(CoreState):
    """Read-only views of the chats, and waiting for a condition without sleeping."""

    def messages_for(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, oldest first, including edited and deleted ones."""
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat is not None else []

    def user_messages_for(self, chat_id: int) -> list[JSON]:
        """Messages users sent in a chat (as the bot received them), oldest first."""
        chat = self._chats.get(chat_id)
        return list(chat.user_messages.values()) if chat is not None else []

    def visible_messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages the user can still see."""
        return [m for m in self.messages_for(chat_id) if not m.deleted]

    def last_message(self, chat_id: int) -> BotMessage | None:
        """The newest bot message in a chat that is not deleted."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return None
        for msg in reversed(chat.messages):
            if not msg.deleted:
                return msg
        return None

    def message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """One bot message by id."""
        chat = self._chats.get(chat_id)
        return chat.by_id.get(message_id) if chat is not None else None

    def chat_version(self, chat_id: int) -> int:
        """A counter that grows with every bot send, edit or delete in the chat."""
        chat = self._chats.get(chat_id)
        return chat.version if chat is not None else 0

    def documents_for(self, chat_id: int) -> list[StoredFile]:
        """Documents the bot sent to a chat, oldest first, with their bytes."""
        out: list[StoredFile] = []
        for msg in self.messages_for(chat_id):
            if msg.document is not None:
                out.append(self._files.by_id[msg.document["file_id"]])
        return out

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by file_id."""
        return self._files.by_id.get(file_id)

    def file_by_path(self, file_path: str) -> StoredFile | None:
        """A stored file by the file_path getFile returned (what download URLs carry)."""
        return self._files.by_path.get(file_path)

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """The press with this query id and the bot's answer."""
        return self._queries.get(query_id)

    def callback_answers(
        self, chat_id: int | None = None, user_id: int | None = None
    ) -> list[CallbackAnswer]:
        """Presses (and answers), oldest first, optionally for one chat or user."""
        return [
            q
            for q in self._queries.values()
            if (chat_id is None or q.chat_id == chat_id)
            and (user_id is None or q.user_id == user_id)
        ]

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set by setMyCommands for a scope (default scope by default)."""
        return list(self._commands.get(commands_key(scope, language_code), []))

    def sent_count(self, chat_id: int) -> int:
        """Messages successfully delivered to a chat (duplicates included)."""
        return self._sent[chat_id]

    def stats(self) -> JSON:
        """Counters for tests and benchmarks."""
        return {
            "calls": dict(self._method_counts),
            "errors": {str(k): v for k, v in self._error_counts.items()},
            "sent": {str(k): v for k, v in self._sent.items()},
            "sent_total": sum(self._sent.values()),
            "updates_total": self._updates.total,
            "updates_pending": len(self._updates.queue),
            "duplicate_updates": self._updates.duplicates_delivered,
            "callback_queries": len(self._queries),
            "callback_unanswered": sum(1 for q in self._queries.values() if not q.answered),
        }

    # --- waiting without sleeping ------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Return once predicate() is true, re-checking after every call and user action."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"sandbox condition not met within {timeout} s")
            await self._changed.wait(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[BotMessage], bool] | None = None,
        *,
        after: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """The first visible bot message newer than `after` matching predicate.

        `after` defaults to the user's latest message in the chat, so right after
        user_send_text this waits for the bot's reply to it.
        """
        chat = self._chats.get(chat_id)
        if chat is None:
            raise SandboxError(f"unknown chat {chat_id}")
        floor = chat.last_user_message_id if after is None else after
        found: list[BotMessage] = []

        def check() -> bool:
            start = bisect.bisect_right(chat.messages, floor, key=lambda m: m.message_id)
            for msg in chat.messages[start:]:
                if not msg.deleted and (predicate is None or predicate(msg)):
                    found.append(msg)
                    return True
            return False

        await self.wait_for(check, timeout)
        return found[0]

    async def wait_for_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Wait until the bot answered a callback query."""
        query = self._queries.get(query_id)
        if query is None:
            raise SandboxError(f"unknown callback query {query_id}")
        await self.wait_for(lambda: query.answered, timeout)
        return query

    async def wait_idle(
        self,
        quiet: float = 0.05,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until every update was fetched, no call runs and none came for `quiet` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"sandbox not idle within {timeout} s")
            idle = not self._updates.queue and self._inflight == 0
            woke = await self._changed.wait(min(quiet, remaining) if idle else remaining)
            if idle and not woke and not self._updates.queue and self._inflight == 0:
                return
