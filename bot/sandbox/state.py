"""The fake Telegram's shared state: its limits, chats, and the lookups every method uses."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.sandbox.models import ApiError, BotMessage, CallbackAnswer, CallRecord, SimUser
from bot.sandbox.params import Params, chat_id_of

if TYPE_CHECKING:
    from bot.sandbox.faults import FaultInjector
    from bot.sandbox.files import FileStore
    from bot.sandbox.limits import RateLimiter
    from bot.sandbox.updates import UpdateQueue

JSON = dict[str, Any]
Files = Mapping[str, tuple[str, bytes]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_UPLOAD = 50 * 1024 * 1024  # bots may upload up to 50 MB
MAX_DOWNLOAD = 20 * 1024 * 1024  # and getFile serves up to 20 MB

# Methods that deliver a message; only these count towards the global 30/s window.
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
# Methods that change a chat's visible content; they count towards the per-chat window.
EDIT_METHODS = frozenset({"editmessagetext", "editmessagereplymarkup", "editmessagecaption"})
# Where faults apply unless Faults.methods says otherwise: calls with a visible effect.
DEFAULT_FAULT_METHODS = (
    SEND_METHODS
    | EDIT_METHODS
    | {
        "answercallbackquery",
        "deletemessage",
        "deletemessages",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class Chat:
    """One chat as the fake Telegram keeps it: the bot's messages and the users'."""

    api: JSON
    next_message_id: int = 1
    messages: list[BotMessage] = field(default_factory=list)
    by_id: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, JSON] = field(default_factory=dict)
    last_user_message_id: int = 0
    version: int = 0

    def take_id(self) -> int:
        """The next message id of this chat (ids never repeat)."""
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


class Signal:
    """Wake every waiter; notify() is synchronous so control-side actions can call it.

    An asyncio.Condition would need its lock (an await) on every Bot API call; a list of
    futures costs nothing when nobody waits, which is the common case in benchmarks.
    """

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        """Wake everyone waiting now."""
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for w in waiters:
                if not w.done():
                    w.set_result(None)

    async def wait(self, timeout: float | None) -> bool:  # noqa: ASYNC109 - a deadline, not I/O
        """Wait for the next notify(); False on timeout."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            async with asyncio.timeout(timeout):
                await fut
            return True
        except TimeoutError:
            return False
        finally:
            if not fut.done():
                fut.cancel()
                if fut in self._waiters:
                    self._waiters.remove(fut)


class CoreState:
    """What the core's method groups share; SandboxCore.__init__ fills it in."""

    token: str
    bot_id: int
    bot_username: str
    bot_user: JSON
    privacy_mode: bool
    record_calls: bool
    calls: list[CallRecord]

    _clock: Callable[[], float]
    _wall: Callable[[], float]
    _limiter: RateLimiter
    _faults: FaultInjector
    _files: FileStore
    _updates: UpdateQueue
    _changed: Signal
    _inflight: int

    _users: dict[int, SimUser]
    _chats: dict[int, Chat]
    # Message ids of chats a previous run used, for chats not opened again yet.
    _message_floors: dict[int, int]
    _query_seq: itertools.count[int]
    _queries: dict[str, CallbackAnswer]
    _commands: dict[str, list[JSON]]
    _menu_buttons: dict[int | None, JSON]
    _migrated: dict[int, int]  # old group id -> supergroup id

    _sent: Counter[int]
    _method_counts: Counter[str]
    _error_counts: Counter[int]

    def _now(self) -> int:
        return int(self._wall())

    def _target(self, p: Params) -> Chat:
        """The chat a call addresses, with Telegram's 400/403 errors."""
        raw = p.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = chat_id_of(raw)
        if chat_id is not None and chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self._migrated[chat_id],
            )
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None or chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            user = self._users[chat_id]
            if user.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if user.blocked or chat_id in self._faults.faults.forbidden_users:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _message_api(self, chat: Chat, msg: BotMessage) -> JSON:
        api = msg.to_api(self.bot_user, chat.api)
        if msg.reply_to_message_id is not None:
            replied = chat.by_id.get(msg.reply_to_message_id)
            api["reply_to_message"] = (
                replied.to_api(self.bot_user, chat.api)
                if replied is not None
                else chat.user_messages[msg.reply_to_message_id]
            )
        return api
