"""In-memory fake of the Telegram Bot API: one object joining state, rules, limits and users.

The method groups live in their own modules (messages, chats, users, inspection) over the
shared state (state.py); limits, faults, files and the update queue are helper objects.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from bot.sandbox.chats import ChatMethods
from bot.sandbox.faults import FaultInjector
from bot.sandbox.files import FileStore
from bot.sandbox.inspection import Inspection
from bot.sandbox.limits import RateLimiter
from bot.sandbox.messages import MessageMethods
from bot.sandbox.models import (
    TINY_PNG,
    ApiError,
    BotMessage,
    CallbackAnswer,
    CallRecord,
    DroppedConnection,
    Faults,
    Limits,
    SandboxError,
    SimUser,
    StoredFile,
    WebhookInfo,
    settings_from_json,
    settings_to_json,
)
from bot.sandbox.params import Params
from bot.sandbox.state import (
    DEFAULT_FAULT_METHODS,
    EDIT_METHODS,
    JSON,
    MAX_CAPTION,
    MAX_DOWNLOAD,
    MAX_TEXT,
    MAX_UPLOAD,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    SEND_METHODS,
    Files,
    Signal,
)
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.users import SimulatedUsers

# Re-exported: the core's callers need these types and helpers from one place.
__all__ = [
    "DEFAULT_FAULT_METHODS",
    "EDIT_METHODS",
    "MAX_CAPTION",
    "MAX_DOWNLOAD",
    "MAX_TEXT",
    "MAX_UPLOAD",
    "NOT_MODIFIED",
    "QUERY_TOO_OLD",
    "SEND_METHODS",
    "TINY_PNG",
    "ApiError",
    "BotMessage",
    "CallRecord",
    "CallbackAnswer",
    "DroppedConnection",
    "Faults",
    "Limits",
    "SandboxCore",
    "SandboxError",
    "SimUser",
    "StoredFile",
    "WebhookInfo",
    "settings_from_json",
    "settings_to_json",
]


class SandboxCore(MessageMethods, ChatMethods, SimulatedUsers, Inspection):
    """Fake Telegram: Bot API methods via call(), simulated users via user_* methods."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "union_test_bot",
        *,
        bot_first_name: str = "Union Bot",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        limits: Limits | None = None,
        faults: Faults | None = None,
        privacy_mode: bool = True,
        record_calls: bool = True,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._clock = clock
        self._wall = wall_clock
        self._limiter = RateLimiter(clock, limits or Limits())
        self._faults = FaultInjector(faults or Faults())
        # In groups the bot sees only commands and replies to it (getMe says so).
        self.privacy_mode = privacy_mode
        self.record_calls = record_calls
        self.calls = []

        self._users = {}
        self._chats = {}
        self._files = FileStore()
        self._message_floors = {}
        self._query_seq = itertools.count(1)
        self._queries = {}
        self._commands = {}
        self._menu_buttons = {}
        self._migrated = {}

        self._changed = Signal()
        self._updates = UpdateQueue(self._changed, self._faults.duplicate_update)
        self._inflight = 0

        self._sent = Counter()
        self._method_counts = Counter()
        self._error_counts = Counter()

        self._sync_methods: dict[str, Callable[[Params, Files], Any]] = {
            "getme": self._get_me,
            "logout": self._accept,
            "close": self._accept,
            "setwebhook": self._updates.set_webhook,
            "deletewebhook": self._updates.delete_webhook,
            "getwebhookinfo": self._updates.get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._files.get_file,
            "getchat": self._get_chat,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "sendchataction": self._send_chat_action,
            "setmydescription": self._accept,
            "setmyshortdescription": self._accept,
            "setmyname": self._accept,
        }
        self._canonical = {
            name.lower(): name
            for name in [
                *("getMe", "logOut", "close", "getUpdates"),
                *("setWebhook", "deleteWebhook", "getWebhookInfo"),
                *("sendMessage", "sendPhoto", "sendDocument", "sendChatAction"),
                *("editMessageText", "editMessageCaption", "editMessageReplyMarkup"),
                *("deleteMessage", "deleteMessages", "answerCallbackQuery", "getFile", "getChat"),
                *("setMyCommands", "getMyCommands", "deleteMyCommands"),
                *("setChatMenuButton", "getChatMenuButton"),
                *("setMyDescription", "setMyShortDescription", "setMyName"),
            ]
        }

    # --- configuration -------------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        """Rate limits in force (mutable; or assign a new Limits)."""
        return self._limiter.limits

    @limits.setter
    def limits(self, value: Limits) -> None:
        self._limiter.reset(value)

    @property
    def faults(self) -> Faults:
        """Faults in force (mutable; assigning a new Faults reseeds the random generator)."""
        return self._faults.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._faults.reset(value)

    @property
    def webhook(self) -> WebhookInfo | None:
        """The webhook set by setWebhook (None: the bot polls with getUpdates)."""
        return self._updates.webhook

    @webhook.setter
    def webhook(self, value: WebhookInfo | None) -> None:
        self._updates.webhook = value

    # --- the Bot API entry point ---------------------------------------------------------

    async def call(self, method: str, params: Params, files: Files | None = None) -> Any:
        """Run one Bot API method; return its `result` or raise ApiError / DroppedConnection."""
        key = method.lower()
        name = self._canonical.get(key, method)
        polling = key == "getupdates"
        if not polling:
            self._inflight += 1
        record = CallRecord(name, params, self._clock()) if self.record_calls else None
        if record is not None:
            self.calls.append(record)
        self._method_counts[name] += 1
        # Waiters see a call as it starts, so a test can act while a slow call is in flight.
        self._changed.notify()
        try:
            if key not in self._canonical:
                raise ApiError(404, "Not Found")
            sent = files or {}
            fault = self._faults.pick(key)
            if fault is None:
                return await self._dispatch(key, params, sent)
            return await self._faults.run(fault, key, lambda: self._dispatch(key, params, sent))
        except ApiError as exc:
            self._error_counts[exc.error_code] += 1
            if record is not None:
                record.error_code = exc.error_code
                record.description = exc.description
            raise
        finally:
            if not polling:
                self._inflight -= 1
            self._changed.notify()

    async def _dispatch(self, key: str, params: Params, files: Files) -> Any:
        if key == "getupdates":
            return await self._updates.get_updates(params)
        return self._sync_methods[key](params, files)

    # --- updates -------------------------------------------------------------------------

    def confirm_updates(self, offset: int) -> None:
        """Forget updates below offset (negative: keep only the last -offset), like getUpdates."""
        self._updates.confirm(offset)

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed."""
        return len(self._updates.queue)

    def peek_update(self) -> JSON | None:
        """The next update to deliver (for the webhook sender), without removing it."""
        return self._updates.peek()

    def pop_update(self, update: JSON) -> None:
        """Remove one delivered update (a duplicate stays queued to be delivered again)."""
        self._updates.pop(update)

    async def wait_updates(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until an update is queued or the webhook changes; False on timeout."""
        return await self._updates.wait(timeout)

    def record_webhook_error(self, message: str) -> None:
        """Note a failed webhook delivery for getWebhookInfo."""
        self._updates.record_webhook_error(self._now(), message)

    # --- one Telegram across runs ----------------------------------------------------------

    def counters(self) -> JSON:
        """The next update, file and per-chat message ids, to resume from after a restart."""
        floors = {**self._message_floors}
        floors.update({cid: chat.next_message_id for cid, chat in self._chats.items()})
        return {
            "next_update_id": self._updates.next_update_id,
            "next_file": self._files.next_file,
            "next_message_ids": {str(cid): mid for cid, mid in floors.items()},
        }

    def resume(self, counters: Mapping[str, Any]) -> None:
        """Continue after counters() of an earlier run: ids never go back.

        Telegram never reuses an id, and a bot drops an update id it has already
        seen as a duplicate delivery.
        """
        q = self._updates
        q.next_update_id = max(q.next_update_id, int(counters.get("next_update_id", 0)))
        self._files.next_file = max(self._files.next_file, int(counters.get("next_file", 0)))
        for raw_id, next_id in dict(counters.get("next_message_ids") or {}).items():
            chat_id, floor = int(raw_id), int(next_id)
            chat = self._chats.get(chat_id)
            if chat is not None:
                chat.next_message_id = max(chat.next_message_id, floor)
            else:
                self._message_floors[chat_id] = max(self._message_floors.get(chat_id, 1), floor)
