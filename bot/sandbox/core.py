"""In-memory fake of the Telegram Bot API: state, Telegram's rules, limits, faults and users."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import math
import mimetypes
import random
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.markdown import parse_text
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
    image_size,
    settings_from_json,
    settings_to_json,
)
from bot.sandbox.params import (
    Params,
    chat_id_of,
    opt_bool,
    opt_float,
    opt_int,
    opt_json,
    opt_str,
)
from bot.telegram_text import EntityParseError, utf16_len

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
_DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "callback_query", "my_chat_member", "inline_query"}
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_FILE_KINDS: dict[str, tuple[str, str, str]] = {
    # kind: (file_id prefix, folder, default extension)
    "photo": ("AgAC", "photos", ".jpg"),
    "document": ("BQAC", "documents", ""),
    "sticker": ("CAAC", "stickers", ".webp"),
    "voice": ("AwAC", "voice", ".oga"),
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class _Chat:
    api: JSON
    next_message_id: int = 1
    messages: list[BotMessage] = field(default_factory=list)
    by_id: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, JSON] = field(default_factory=dict)
    last_user_message_id: int = 0
    version: int = 0

    def take_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


class _Signal:
    """Wake every waiter; notify() is synchronous so control-side actions can call it.

    An asyncio.Condition would need its lock (an await) on every Bot API call; a list of
    futures costs nothing when nobody waits, which is the common case in benchmarks.
    """

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
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


class SandboxCore:
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
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._clock = clock
        self._wall = wall_clock
        self._limits = limits or Limits()
        self._faults = faults or Faults()
        self._rng = random.Random(self._faults.seed)
        # In groups the bot sees only commands and replies to it (getMe says so).
        self.privacy_mode = privacy_mode
        self.record_calls = record_calls
        self.calls: list[CallRecord] = []

        self._users: dict[int, SimUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._next_file = 1
        # Message ids of chats a previous run used, for chats not opened again yet.
        self._message_floors: dict[int, int] = {}
        self._query_seq = itertools.count(1)
        self._queries: dict[str, CallbackAnswer] = {}
        self._commands: dict[str, list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._migrated: dict[int, int] = {}  # old group id -> supergroup id

        self._updates: deque[JSON] = deque()
        self._next_update_id = 100_000_001
        self._allowed_updates = _DEFAULT_ALLOWED_UPDATES
        self._poller: object | None = None
        self.webhook: WebhookInfo | None = None
        self._updates_signal = _Signal()
        self._changed = _Signal()
        self._inflight = 0

        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}
        self._group_windows: dict[int, deque[float]] = {}

        self._sent: Counter[int] = Counter()
        self._method_counts: Counter[str] = Counter()
        self._error_counts: Counter[int] = Counter()
        self._updates_total = 0
        self._duplicates_delivered = 0

        self._sync_methods: dict[str, Callable[[Params, Files], Any]] = {
            "getme": self._get_me,
            "logout": self._accept,
            "close": self._accept,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
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
        return self._limits

    @limits.setter
    def limits(self, value: Limits) -> None:
        self._limits = value
        self._global_window.clear()
        self._chat_windows.clear()
        self._group_windows.clear()

    @property
    def faults(self) -> Faults:
        """Faults in force (mutable; assigning a new Faults reseeds the random generator)."""
        return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._faults = value
        self._rng = random.Random(value.seed)

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
            fault = self._pick_fault(key) if self._faults.active() else None
            if fault is None:
                return await self._dispatch(key, params, files or {})
            return await self._faulted(fault, key, params, files or {})
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
            return await self._get_updates(params)
        return self._sync_methods[key](params, files)

    def _pick_fault(self, key: str) -> tuple[str, float] | None:
        f = self._faults
        scope = DEFAULT_FAULT_METHODS if f.methods is None else {m.lower() for m in f.methods}
        if key not in scope:
            return None
        rng = self._rng
        if f.rate_limit_count > 0:
            f.rate_limit_count -= 1
            return ("429", f.retry_after)
        if f.rate_limit_probability and rng.random() < f.rate_limit_probability:
            return ("429", f.retry_after)
        if f.server_error_count > 0:
            f.server_error_count -= 1
            return ("5xx", f.server_error_code)
        if f.server_error_probability and rng.random() < f.server_error_probability:
            return ("5xx", f.server_error_code)
        if f.drop_count > 0:
            f.drop_count -= 1
            return ("drop", 0)
        if f.drop_probability and rng.random() < f.drop_probability:
            return ("drop", 0)
        if f.delay_count > 0:
            f.delay_count -= 1
            return ("delay", f.delay_seconds)
        if f.delay_probability and rng.random() < f.delay_probability:
            return ("delay", f.delay_seconds)
        return None

    async def _faulted(
        self, fault: tuple[str, float], key: str, params: Params, files: Files
    ) -> Any:
        kind, value = fault
        if kind == "429":
            seconds = max(1, int(value))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        commit_first = self._faults.commit_before_fault
        if kind == "delay":
            if commit_first:
                result = await self._dispatch(key, params, files)
                await asyncio.sleep(value)
                return result
            await asyncio.sleep(value)
            return await self._dispatch(key, params, files)
        if commit_first:
            await self._dispatch(key, params, files)
        if kind == "drop":
            raise DroppedConnection(key)
        code = int(value)
        raise ApiError(code, "Bad Gateway" if code == 502 else "Internal Server Error")

    # --- limits ----------------------------------------------------------------------------

    def _too_many(self, seconds: float) -> ApiError:
        retry = max(1, math.ceil(seconds))
        return ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)

    def _admit(self, key: str, chat_id: int) -> None:
        """Apply the flood limits to a call that passed validation, and count it."""
        lim = self._limits
        if not lim.enabled:
            return
        now = self._clock()
        sending = key in SEND_METHODS
        g = self._global_window
        if sending:
            while g and g[0] <= now - 1.0:
                g.popleft()
            if len(g) >= lim.global_per_second:
                raise self._too_many(g[0] + 1.0 - now)
        w = self._chat_windows.get(chat_id)
        if w is None:
            w = self._chat_windows[chat_id] = deque()
        while w and w[0] <= now - 1.0:
            w.popleft()
        if len(w) >= (1 if lim.strict else lim.per_chat_burst):
            raise self._too_many(w[0] + 1.0 - now)
        gw: deque[float] | None = None
        if chat_id < 0:
            gw = self._group_windows.get(chat_id)
            if gw is None:
                gw = self._group_windows[chat_id] = deque()
            while gw and gw[0] <= now - 60.0:
                gw.popleft()
            if len(gw) >= lim.group_per_minute:
                raise self._too_many(gw[0] + 60.0 - now)
            gw.append(now)
        if sending:
            g.append(now)
        w.append(now)

    # --- shared validation -----------------------------------------------------------------

    def _target(self, p: Params) -> _Chat:
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
            if user.blocked or chat_id in self._faults.forbidden_users:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _parse(
        self, text: str, p: Params, mode_key: str, entities_key: str
    ) -> tuple[str, list[JSON]]:
        parse_mode = opt_str(p, mode_key)
        entities = None
        if not parse_mode:
            raw = opt_json(p, entities_key, "entities")
            if raw is not None and not isinstance(raw, list):
                raise ApiError(400, "Bad Request: can't parse entities JSON object")
            entities = raw
        try:
            return parse_text(text, parse_mode, entities, strict_ampersand=self._limits.strict_html)
        except EntityParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        except ValueError:
            raise ApiError(400, "Bad Request: unsupported parse_mode") from None

    def _markup(self, p: Params) -> tuple[JSON | None, JSON | None]:
        """(inline keyboard, other keyboard) from reply_markup, validated like Telegram."""
        raw = opt_json(p, "reply_markup", "reply keyboard markup")
        if raw is None:
            return None, None
        if not isinstance(raw, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in raw:
            if {"keyboard", "remove_keyboard", "force_reply"} & raw.keys():
                return None, raw
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(
                400,
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
                "should be an Array of Arrays",
            )
        clean_rows: list[list[JSON]] = []
        count = 0
        for row in rows:
            clean: list[JSON] = []
            for button in row:
                count += 1
                if not isinstance(button, dict):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button")
                b = {k: v for k, v in button.items() if v is not None}
                if not isinstance(b.get("text"), str) or not b["text"]:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text must be non-empty",
                    )
                if "callback_data" in b:
                    data = b["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                elif "url" in b:
                    url = b["url"]
                    if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                        raise ApiError(
                            400,
                            f"Bad Request: inline keyboard button URL '{url}' is invalid: "
                            "Wrong HTTP URL",
                        )
                elif len(b) == 1:
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                clean.append(b)
            clean_rows.append(clean)
        if count > 100:
            raise ApiError(400, "Bad Request: reply markup is too long")
        return {"inline_keyboard": clean_rows}, None

    def _reply_to(self, chat: _Chat, p: Params) -> int | None:
        reply_id = opt_int(p, "reply_to_message_id")
        allow = opt_bool(p, "allow_sending_without_reply")
        params = opt_json(p, "reply_parameters", "reply parameters")
        if isinstance(params, dict):
            reply_id = opt_int(params, "message_id")
            allow = allow or opt_bool(params, "allow_sending_without_reply")
        if reply_id is None:
            return None
        msg = chat.by_id.get(reply_id)
        exists = (msg is not None and not msg.deleted) or reply_id in chat.user_messages
        if not exists:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return reply_id

    def _store_bot_message(self, chat: _Chat, msg: BotMessage) -> JSON:
        chat.messages.append(msg)
        chat.by_id[msg.message_id] = msg
        chat.version += 1
        self._sent[msg.chat_id] += 1
        return self._message_api(chat, msg)

    def _message_api(self, chat: _Chat, msg: BotMessage) -> JSON:
        api = msg.to_api(self.bot_user, chat.api)
        if msg.reply_to_message_id is not None:
            replied = chat.by_id.get(msg.reply_to_message_id)
            api["reply_to_message"] = (
                replied.to_api(self.bot_user, chat.api)
                if replied is not None
                else chat.user_messages[msg.reply_to_message_id]
            )
        return api

    def _message_for_edit(self, p: Params, what: str) -> tuple[_Chat, BotMessage]:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._target(p)
        message_id = opt_int(p, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        msg = chat.by_id.get(message_id)
        if msg is None or msg.deleted:
            if message_id in chat.user_messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return chat, msg

    def _now(self) -> int:
        return int(self._wall())

    # --- Bot API methods -------------------------------------------------------------------

    def _accept(self, p: Params, files: Files) -> bool:
        return True

    def _get_me(self, p: Params, files: Files) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
        }

    def _set_webhook(self, p: Params, files: Files) -> bool:
        url = opt_str(p, "url") or ""
        if not url:
            return self._delete_webhook(p, files)
        loopback = re.match(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", url)
        if not url.startswith("https://") and not loopback:
            # Real Telegram wants HTTPS; the sandbox also accepts loopback HTTP for tests.
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = opt_str(p, "secret_token")
        if secret is not None and not re.match(r"^[A-Za-z0-9_-]{1,256}$", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = opt_json(p, "allowed_updates", "allowed updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
        if opt_bool(p, "drop_pending_updates"):
            self._updates.clear()
        self.webhook = WebhookInfo(
            url=url,
            secret_token=secret,
            max_connections=opt_int(p, "max_connections") or 40,
            allowed_updates=allowed,
        )
        self._updates_signal.notify()
        return True

    def _delete_webhook(self, p: Params, files: Files) -> bool:
        self.webhook = None
        if opt_bool(p, "drop_pending_updates"):
            self._updates.clear()
        self._updates_signal.notify()
        return True

    def _get_webhook_info(self, p: Params, files: Files) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        wh = self.webhook
        if wh is not None:
            info["url"] = wh.url
            info["max_connections"] = wh.max_connections
            if wh.allowed_updates is not None:
                info["allowed_updates"] = wh.allowed_updates
            if wh.last_error_date is not None:
                info["last_error_date"] = wh.last_error_date
                info["last_error_message"] = wh.last_error_message
        return info

    async def _get_updates(self, p: Params) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = opt_int(p, "offset")
        limit = min(max(opt_int(p, "limit") or 100, 1), 100)
        timeout = opt_float(p, "timeout") or 0.0
        allowed = opt_json(p, "allowed_updates", "allowed updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
        if offset is not None:
            self.confirm_updates(offset)
        me = object()
        self._poller = me
        # A newer getUpdates ends an older long poll with 409, as Telegram does.
        self._updates_signal.notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            batch = list(itertools.islice(self._updates, limit))
            if batch:
                return batch
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            await self._updates_signal.wait(remaining)
            if self._poller is not me:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.webhook is not None:
                return []

    def _send_message(self, p: Params, files: Files) -> JSON:
        chat = self._target(p)
        raw = p.get("text")
        text = "" if raw is None else str(raw)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        plain, entities = self._parse(text, p, "parse_mode", "entities")
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        inline, other = self._markup(p)
        reply_to = self._reply_to(chat, p)
        chat_id: int = chat.api["id"]
        self._admit("sendmessage", chat_id)
        msg = BotMessage(
            chat_id=chat_id,
            message_id=chat.take_id(),
            date=self._now(),
            kind="text",
            text=plain,
            html=text,
            parse_mode=opt_str(p, "parse_mode"),
            entities=entities,
            reply_markup=inline,
            reply_keyboard=other,
            reply_to_message_id=reply_to,
            disable_notification=opt_bool(p, "disable_notification"),
        )
        return self._store_bot_message(chat, msg)

    def _caption(self, p: Params) -> tuple[str, str | None, list[JSON]]:
        raw = p.get("caption")
        if raw is None or raw == "":
            return "", None, []
        text = str(raw)
        plain, entities = self._parse(text, p, "parse_mode", "caption_entities")
        if utf16_len(plain) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        return plain, text, entities

    def _input_file(self, p: Params, files: Files, name: str, kind: str) -> StoredFile:
        """The file a send* call refers to: an upload, an attach:// part, or a file_id."""
        value = p.get(name)
        upload: tuple[str, bytes] | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        elif (value is None or value == "") and name in files:
            upload = files[name]
        elif isinstance(value, str) and value:
            if value.startswith(("http://", "https://")):
                # The sandbox has no internet; Telegram would fetch the URL itself.
                raise ApiError(400, "Bad Request: failed to get HTTP URL content")
            stored = self._files.get(value)
            if stored is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            if stored.kind != kind:
                raise ApiError(
                    400,
                    f"Bad Request: can't use file of type {stored.kind.capitalize()} "
                    f"as {kind.capitalize()}",
                )
            return stored
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        filename, content = upload
        if not content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        if len(content) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        width = height = 0
        if kind == "photo":
            size = image_size(content)
            if size is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > 10000 or (
                width and height and max(width, height) > 20 * min(width, height)
            ):
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
            width, height = width or 800, height or 600
        mime = mimetypes.guess_type(filename)[0] if filename else None
        return self._new_file(
            kind, content, filename or None, mime or "application/octet-stream", width, height
        )

    def _new_file(
        self,
        kind: str,
        content: bytes,
        file_name: str | None,
        mime_type: str | None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        n = self._next_file
        self._next_file += 1
        prefix, folder, ext = _FILE_KINDS[kind]
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1].lower()
        stored = StoredFile(
            file_id=f"{prefix}AgADsbx{n:08d}",
            file_unique_id=f"AQADsbx{n:06d}",
            kind=kind,
            content=content,
            file_path=f"{folder}/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _send_media(self, p: Params, files: Files, kind: str) -> JSON:
        chat = self._target(p)
        stored = self._input_file(p, files, kind, kind)
        plain, raw, entities = self._caption(p)
        inline, other = self._markup(p)
        reply_to = self._reply_to(chat, p)
        chat_id: int = chat.api["id"]
        self._admit("send" + kind, chat_id)
        msg = BotMessage(
            chat_id=chat_id,
            message_id=chat.take_id(),
            date=self._now(),
            kind=kind,
            text=plain,
            html=raw,
            parse_mode=opt_str(p, "parse_mode"),
            entities=entities,
            reply_markup=inline,
            reply_keyboard=other,
            reply_to_message_id=reply_to,
            disable_notification=opt_bool(p, "disable_notification"),
        )
        if kind == "photo":
            msg.photo = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": stored.width,
                    "height": stored.height,
                    "file_size": stored.file_size,
                }
            ]
        else:
            doc: JSON = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size,
            }
            if stored.file_name:
                doc["file_name"] = stored.file_name
            if stored.mime_type:
                doc["mime_type"] = stored.mime_type
            msg.document = doc
        return self._store_bot_message(chat, msg)

    def _send_photo(self, p: Params, files: Files) -> JSON:
        return self._send_media(p, files, "photo")

    def _send_document(self, p: Params, files: Files) -> JSON:
        return self._send_media(p, files, "document")

    def _edit_message_text(self, p: Params, files: Files) -> JSON:
        chat, msg = self._message_for_edit(p, "edit")
        raw = p.get("text")
        text = "" if raw is None else str(raw)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if msg.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        plain, entities = self._parse(text, p, "parse_mode", "entities")
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        # Without reply_markup an edit removes the keyboard, exactly as on Telegram.
        inline, _other = self._markup(p)
        if plain == msg.text and entities == msg.entities and inline == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._admit("editmessagetext", msg.chat_id)
        msg.text, msg.html, msg.entities = plain, text, entities
        msg.parse_mode = opt_str(p, "parse_mode")
        msg.reply_markup = inline
        return self._edited(chat, msg)

    def _edit_message_caption(self, p: Params, files: Files) -> JSON:
        chat, msg = self._message_for_edit(p, "edit")
        if msg.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        plain, raw, entities = self._caption(p)
        inline, _other = self._markup(p)
        if plain == msg.text and entities == msg.entities and inline == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._admit("editmessagecaption", msg.chat_id)
        msg.text, msg.html, msg.entities = plain, raw, entities
        msg.reply_markup = inline
        return self._edited(chat, msg)

    def _edit_message_reply_markup(self, p: Params, files: Files) -> JSON:
        chat, msg = self._message_for_edit(p, "edit")
        inline, _other = self._markup(p)
        if inline == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._admit("editmessagereplymarkup", msg.chat_id)
        msg.reply_markup = inline
        return self._edited(chat, msg)

    def _edited(self, chat: _Chat, msg: BotMessage) -> JSON:
        msg.edited = True
        msg.edit_count += 1
        msg.edit_date = self._now()
        chat.version += 1
        return self._message_api(chat, msg)

    def _delete_message(self, p: Params, files: Files) -> bool:
        chat = self._target(p)
        message_id = opt_int(p, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        if not self._delete_one(chat, message_id):
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _delete_messages(self, p: Params, files: Files) -> bool:
        chat = self._target(p)
        ids = opt_json(p, "message_ids", "message identifiers")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        for mid in ids:
            self._delete_one(chat, int(mid))
        return True

    def _delete_one(self, chat: _Chat, message_id: int) -> bool:
        msg = chat.by_id.get(message_id)
        if msg is not None and not msg.deleted:
            msg.deleted = True
            chat.version += 1
            return True
        if message_id in chat.user_messages:
            del chat.user_messages[message_id]
            return True
        return False

    def _answer_callback_query(self, p: Params, files: Files) -> bool:
        query_id = opt_str(p, "callback_query_id")
        query = self._queries.get(query_id or "")
        now = self._clock()
        if (
            query is None
            or query.answered
            or now - query.created_at > self._limits.callback_query_ttl
        ):
            raise ApiError(400, QUERY_TOO_OLD)
        query.answered = True
        query.text = opt_str(p, "text")
        query.show_alert = opt_bool(p, "show_alert")
        query.url = opt_str(p, "url")
        query.answered_at = now
        return True

    def _get_file(self, p: Params, files: Files) -> JSON:
        stored = self._files.get(opt_str(p, "file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if stored.file_size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return stored.to_file_api()

    def _get_chat(self, p: Params, files: Files) -> JSON:
        chat = self._target(p)
        return {
            **chat.api,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }

    def _commands_key(self, p: Params) -> str:
        scope = opt_json(p, "scope", "bot command scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + (opt_str(p, "language_code") or "")

    def _set_my_commands(self, p: Params, files: Files) -> bool:
        commands = opt_json(p, "commands", "bot commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        clean: list[JSON] = []
        for c in commands:
            name = c.get("command") if isinstance(c, dict) else None
            description = c.get("description") if isinstance(c, dict) else None
            if not isinstance(name, str) or not _BOT_COMMAND_NAME.match(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        self._commands[self._commands_key(p)] = clean
        return True

    def _get_my_commands(self, p: Params, files: Files) -> list[JSON]:
        return list(self._commands.get(self._commands_key(p), []))

    def _delete_my_commands(self, p: Params, files: Files) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _set_chat_menu_button(self, p: Params, files: Files) -> bool:
        button = opt_json(p, "menu_button", "menu button") or {"type": "default"}
        chat_id = opt_int(p, "chat_id")
        if chat_id is not None and chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        self._menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, p: Params, files: Files) -> JSON:
        chat_id = opt_int(p, "chat_id")
        return self._menu_buttons.get(chat_id, self._menu_buttons.get(None, {"type": "commands"}))

    def _send_chat_action(self, p: Params, files: Files) -> bool:
        self._target(p)
        if opt_str(p, "action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    # --- updates -------------------------------------------------------------------------

    def _push_update(self, kind: str, payload: JSON) -> int | None:
        """Queue an update; None when allowed_updates filters this kind out."""
        if kind not in self._allowed_updates:
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        self._updates.append(update)
        self._updates_total += 1
        f = self._faults
        duplicate = False
        if f.duplicate_update_count > 0:
            f.duplicate_update_count -= 1
            duplicate = True
        elif f.duplicate_update_probability:
            duplicate = self._rng.random() < f.duplicate_update_probability
        if duplicate:
            # Same update_id twice: what Telegram does when a delivery looked failed.
            self._updates.append(update)
            self._duplicates_delivered += 1
        self._updates_signal.notify()
        self._changed.notify()
        return update_id

    def confirm_updates(self, offset: int) -> None:
        """Forget updates below offset (negative: keep only the last -offset), like getUpdates."""
        q = self._updates
        before = len(q)
        if offset < 0:
            while len(q) > -offset:
                q.popleft()
        else:
            while q and q[0]["update_id"] < offset:
                q.popleft()
        if len(q) != before:
            self._changed.notify()

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed."""
        return len(self._updates)

    def peek_update(self) -> JSON | None:
        """The next update to deliver (for the webhook sender), without removing it."""
        return self._updates[0] if self._updates else None

    def pop_update(self, update: JSON) -> None:
        """Remove one delivered update (a duplicate stays queued to be delivered again)."""
        if self._updates and self._updates[0] is update:
            self._updates.popleft()
            self._changed.notify()

    async def wait_updates(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until an update is queued or the webhook changes; False on timeout."""
        return await self._updates_signal.wait(timeout)

    def record_webhook_error(self, message: str) -> None:
        """Note a failed webhook delivery for getWebhookInfo."""
        if self.webhook is not None:
            self.webhook.last_error_date = self._now()
            self.webhook.last_error_message = message

    # --- one Telegram across runs ----------------------------------------------------------

    def counters(self) -> JSON:
        """The next update, file and per-chat message ids, to resume from after a restart."""
        floors = {**self._message_floors}
        floors.update({cid: chat.next_message_id for cid, chat in self._chats.items()})
        return {
            "next_update_id": self._next_update_id,
            "next_file": self._next_file,
            "next_message_ids": {str(cid): mid for cid, mid in floors.items()},
        }

    def resume(self, counters: Mapping[str, Any]) -> None:
        """Continue after counters() of an earlier run: ids never go back.

        Telegram never reuses an id, and a bot drops an update id it has already
        seen as a duplicate delivery.
        """
        self._next_update_id = max(self._next_update_id, int(counters.get("next_update_id", 0)))
        self._next_file = max(self._next_file, int(counters.get("next_file", 0)))
        for raw_id, next_id in dict(counters.get("next_message_ids") or {}).items():
            chat_id, floor = int(raw_id), int(next_id)
            chat = self._chats.get(chat_id)
            if chat is not None:
                chat.next_message_id = max(chat.next_message_id, floor)
            else:
                self._message_floors[chat_id] = max(self._message_floors.get(chat_id, 1), floor)

    # --- simulated users -------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str = "zh-hans",
        *,
        role: str = "member",
        started: bool = True,
    ) -> SimUser:
        """Create a user and their private chat with the bot (idempotent per id)."""
        if user_id <= 0:
            raise SandboxError("user ids are positive")
        user = SimUser(user_id, first_name, username, language_code, role, started=started)
        self._users[user_id] = user
        if user_id not in self._chats:
            chat_api: JSON = {"id": user_id, "type": "private", "first_name": first_name}
            if username:
                chat_api["username"] = username
            self._open_chat(user_id, chat_api)
        return user

    def user(self, user_id: int) -> SimUser:
        """The simulated user with this id."""
        try:
            return self._users[user_id]
        except KeyError:
            raise SandboxError(f"unknown user {user_id}; call add_user first") from None

    @property
    def users(self) -> list[SimUser]:
        """All simulated users."""
        return list(self._users.values())

    def _open_chat(self, chat_id: int, api: JSON) -> _Chat:
        chat = _Chat(api=api, next_message_id=self._message_floors.pop(chat_id, 1))
        self._chats[chat_id] = chat
        return chat

    def _chat_for(self, user: SimUser, chat_type: str, chat_id: int | None) -> _Chat:
        if chat_type == "private":
            if chat_id not in (None, user.user_id):
                raise SandboxError("a private chat's id is the user's id")
            if user.blocked:
                # A blocked bot shows "Restart" in the app; writing again unblocks it.
                self.user_unblock(user.user_id)
            user.started = True
            return self._chats[user.user_id]
        if chat_type not in ("group", "supergroup"):
            raise SandboxError(f"unsupported chat_type {chat_type!r}")
        if chat_id is None or chat_id >= 0:
            raise SandboxError("group chats need a negative chat_id")
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._open_chat(
                chat_id, {"id": chat_id, "type": chat_type, "title": f"Group {-chat_id}"}
            )
        return chat

    def _user_message(self, user: SimUser, chat: _Chat, content: JSON) -> JSON:
        mid = chat.take_id()
        msg: JSON = {
            "message_id": mid,
            "from": user.to_api(),
            "chat": chat.api,
            "date": self._now(),
            **content,
        }
        chat.user_messages[mid] = msg
        chat.last_user_message_id = mid
        return msg

    def _deliver_message(self, chat: _Chat, msg: JSON, *, addressed: bool) -> None:
        if chat.api["type"] == "private" or not self.privacy_mode or addressed:
            self._push_update("message", msg)
        else:
            self._changed.notify()

    def _command_entities(self, text: str) -> tuple[list[JSON], bool]:
        """bot_command entities, and whether the text starts with a command for this bot."""
        entities: list[JSON] = []
        for_us = False
        for m in _COMMAND.finditer(text):
            token = m.group(0)
            entities.append(
                {
                    "type": "bot_command",
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(token),
                }
            )
            if m.start() == 0:
                mention = token.partition("@")[2]
                for_us = not mention or mention.lower() == self.bot_username.lower()
        return entities, for_us

    def _reply_content(self, chat: _Chat, reply_to_message_id: int | None) -> tuple[JSON, bool]:
        if reply_to_message_id is None:
            return {}, False
        bot_msg = chat.by_id.get(reply_to_message_id)
        if bot_msg is not None and not bot_msg.deleted:
            return {"reply_to_message": self._message_api(chat, bot_msg)}, True
        user_msg = chat.user_messages.get(reply_to_message_id)
        if user_msg is None:
            raise SandboxError(f"no message {reply_to_message_id} in chat {chat.api['id']}")
        return {"reply_to_message": user_msg}, False

    def user_send_text(
        self,
        user_id: int,
        text: str,
        chat_type: str = "private",
        chat_id: int | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends text (commands get bot_command entities); returns their Message."""
        if not text.strip():
            raise SandboxError("Telegram clients do not send empty messages")
        if utf16_len(text) > MAX_TEXT:
            raise SandboxError("Telegram clients split texts over 4096 characters")
        user = self.user(user_id)
        chat = self._chat_for(user, chat_type, chat_id)
        content: JSON = {"text": text}
        entities, for_us = self._command_entities(text)
        if entities:
            content["entities"] = entities
        reply, to_bot = self._reply_content(chat, reply_to_message_id)
        content.update(reply)
        msg = self._user_message(user, chat, content)
        self._deliver_message(chat, msg, addressed=for_us or to_bot)
        return msg

    def user_send_command(self, user_id: int, command: str, args: str = "", **kw: Any) -> JSON:
        """The user sends /command [args]."""
        text = "/" + command.lstrip("/") + (f" {args}" if args else "")
        return self.user_send_text(user_id, text, **kw)

    def _user_media(
        self,
        user_id: int,
        key: str,
        media: Any,
        caption: str | None,
        chat_type: str,
        chat_id: int | None,
    ) -> JSON:
        user = self.user(user_id)
        chat = self._chat_for(user, chat_type, chat_id)
        content: JSON = {key: media}
        if caption:
            content["caption"] = caption
        msg = self._user_message(user, chat, content)
        self._deliver_message(chat, msg, addressed=False)
        return msg

    def user_send_photo(
        self,
        user_id: int,
        caption: str | None = None,
        content: bytes | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a picture (a tiny PNG unless content is given)."""
        data = content or TINY_PNG
        size = image_size(data) or (0, 0)
        stored = self._new_file("photo", data, None, "image/jpeg", size[0] or 800, size[1] or 600)
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": stored.width,
                "height": stored.height,
                "file_size": stored.file_size,
            }
        ]
        return self._user_media(user_id, "photo", photo, caption, chat_type, chat_id)

    def user_send_sticker(
        self,
        user_id: int,
        emoji: str = "👍",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a sticker."""
        stored = self._new_file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return self._user_media(user_id, "sticker", sticker, None, chat_type, chat_id)

    def user_send_voice(
        self,
        user_id: int,
        duration: int = 3,
        content: bytes | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a voice note."""
        stored = self._new_file("voice", content or b"OggS\x00fake-opus", None, "audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return self._user_media(user_id, "voice", voice, None, chat_type, chat_id)

    def user_send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a file; the bot can getFile and download it."""
        if not content:
            raise SandboxError("Telegram clients do not send empty files")
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self._new_file("document", content, filename, mime)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime,
            "file_size": stored.file_size,
        }
        return self._user_media(user_id, "document", document, caption, chat_type, chat_id)

    def user_press(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> str:
        """The user presses a button on a bot message; returns the callback query id.

        The data is not checked against the keyboard: a modified client can send anything,
        and the bot must not trust it.
        """
        user = self.user(user_id)
        cid = user_id if chat_id is None else chat_id
        chat = self._chats.get(cid)
        msg = chat.by_id.get(message_id) if chat is not None else None
        if chat is None or msg is None or msg.deleted:
            raise SandboxError(f"no bot message {message_id} in chat {cid}")
        if user.blocked:
            raise SandboxError(f"user {user_id} has blocked the bot")
        query_id = str(4_000_000_000_000_000_000 + next(self._query_seq))
        self._queries[query_id] = CallbackAnswer(
            query_id, user_id, cid, message_id, callback_data, self._clock()
        )
        self._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self._message_api(chat, msg),
                "chat_instance": f"{self.bot_id}{abs(cid)}",
                "data": callback_data,
            },
        )
        return query_id

    def user_press_button(
        self,
        user_id: int,
        text: str,
        message_id: int | None = None,
        chat_id: int | None = None,
    ) -> str:
        """Press the button labelled `text` on a message (default: the last one with buttons)."""
        cid = user_id if chat_id is None else chat_id
        msg: BotMessage | None
        if message_id is None:
            msg = next(
                (m for m in reversed(self.messages_for(cid)) if m.buttons and not m.deleted), None
            )
        else:
            chat = self._chats.get(cid)
            msg = chat.by_id.get(message_id) if chat else None
        if msg is None:
            raise SandboxError(f"no message with buttons in chat {cid}")
        data = msg.button(text).get("callback_data")
        if not isinstance(data, str):
            raise SandboxError(f"button {text!r} has no callback_data")
        return self.user_press(user_id, msg.message_id, data, chat_id=chat_id)

    def _member_update(self, user: SimUser, old: str, new: str) -> None:
        chat = self._chats[user.user_id]

        def member(status: str) -> JSON:
            # A "kicked" ChatMember always carries until_date (0: forever).
            extra: JSON = {"until_date": 0} if status == "kicked" else {}
            return {"user": self.bot_user, "status": status, **extra}

        self._push_update(
            "my_chat_member",
            {
                "chat": chat.api,
                "from": user.to_api(),
                "date": self._now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def user_block(self, user_id: int) -> None:
        """The user blocks the bot: sends then fail with 403; the bot gets my_chat_member."""
        user = self.user(user_id)
        if not user.blocked:
            user.blocked = True
            self._member_update(user, "member", "kicked")

    def user_unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        user = self.user(user_id)
        if user.blocked:
            user.blocked = False
            self._member_update(user, "kicked", "member")

    def migrate_group(self, chat_id: int, new_chat_id: int) -> None:
        """The group becomes a supergroup: calls with the old id get migrate_to_chat_id."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.api["type"] != "group":
            raise SandboxError(f"no group {chat_id}")
        if new_chat_id >= 0 or new_chat_id in self._chats:
            raise SandboxError("the supergroup id must be negative and unused")
        new_chat = self._open_chat(
            new_chat_id, {"id": new_chat_id, "type": "supergroup", "title": chat.api["title"]}
        )
        self._migrated[chat_id] = new_chat_id
        # Telegram announces the move with a service message in each chat.
        for where, key, value in (
            (chat, "migrate_to_chat_id", new_chat_id),
            (new_chat, "migrate_from_chat_id", chat_id),
        ):
            mid = where.take_id()
            self._push_update(
                "message",
                {"message_id": mid, "chat": where.api, "date": self._now(), key: value},
            )

    def user_deactivate(self, user_id: int) -> None:
        """The user deletes their account: sends fail with 403 "user is deactivated"."""
        self.user(user_id).deactivated = True

    # --- inspection ------------------------------------------------------------------------

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
                out.append(self._files[msg.document["file_id"]])
        return out

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by file_id."""
        return self._files.get(file_id)

    def file_by_path(self, file_path: str) -> StoredFile | None:
        """A stored file by the file_path getFile returned (what download URLs carry)."""
        return self._files_by_path.get(file_path)

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
        key = json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + language_code
        return list(self._commands.get(key, []))

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
            "updates_total": self._updates_total,
            "updates_pending": len(self._updates),
            "duplicate_updates": self._duplicates_delivered,
            "callback_queries": len(self._queries),
            "callback_unanswered": sum(1 for q in self._queries.values() if not q.answered),
        }

    # --- waiting without sleeping ----------------------------------------------------------

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
            idle = not self._updates and self._inflight == 0
            woke = await self._changed.wait(min(quiet, remaining) if idle else remaining)
            if idle and not woke and not self._updates and self._inflight == 0:
                return
