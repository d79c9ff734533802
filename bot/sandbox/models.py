"""The sandbox's data: errors, settings, users, bot messages, files and button presses."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, TypeVar

JSON = dict[str, Any]
_T = TypeVar("_T", "Limits", "Faults")


class ApiError(Exception):
    """A Bot API error answer: {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_json(self) -> JSON:
        """The response body Telegram would send."""
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        parameters: JSON = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


class DroppedConnection(Exception):
    """Fault: the transport must close the connection without answering."""


class SandboxError(ValueError):
    """Misuse of the control side (unknown user, pressing a deleted message, ...)."""


@dataclass
class Limits:
    """Telegram's flood limits and timings; `enabled=False` turns rate limiting off."""

    enabled: bool = True
    global_per_second: int = 30
    per_chat_burst: int = 3
    strict: bool = False  # one message per second per chat, Telegram's documented figure
    group_per_minute: int = 20
    callback_query_ttl: float = 15.0  # after this an unanswered query is "too old"
    strict_html: bool = True  # reject a bare '&' in HTML (Telegram itself keeps it)
    webhook_timeout: float = 10.0  # the HTTP layer waits this long for the webhook's answer


@dataclass
class Faults:
    """Injected failures; counts are consumed first, then probabilities (seeded RNG).

    `methods` limits faults to those Bot API methods (any case); None means the
    methods with a visible effect (send*, edit*, answerCallbackQuery, deleteMessage).
    With `commit_before_fault` a 5xx, dropped connection or slow answer happens after
    the message was delivered, the case where a blind retry sends a duplicate.
    """

    seed: int = 0
    methods: frozenset[str] | None = None
    rate_limit_count: int = 0
    rate_limit_probability: float = 0.0
    retry_after: int = 1
    server_error_count: int = 0
    server_error_probability: float = 0.0
    server_error_code: int = 500
    drop_count: int = 0
    drop_probability: float = 0.0
    delay_count: int = 0
    delay_probability: float = 0.0
    delay_seconds: float = 0.0
    commit_before_fault: bool = False
    forbidden_users: frozenset[int] = frozenset()
    duplicate_update_count: int = 0
    duplicate_update_probability: float = 0.0

    def active(self) -> bool:
        """Whether any call-level fault can fire."""
        return bool(
            self.rate_limit_count
            or self.rate_limit_probability
            or self.server_error_count
            or self.server_error_probability
            or self.drop_count
            or self.drop_probability
            or self.delay_count
            or self.delay_probability
        )


def settings_to_json(obj: Limits | Faults) -> JSON:
    """Limits or Faults as plain JSON (sets become sorted lists)."""
    out: JSON = {}
    for key, value in asdict(obj).items():
        out[key] = sorted(value) if isinstance(value, frozenset) else value
    return out


def settings_from_json(obj: _T, data: Mapping[str, Any]) -> _T:
    """A copy of obj with the fields in data replaced, coerced to each field's type."""
    known = {f.name for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise SandboxError(f"unknown field {key!r}; known: {sorted(known)}")
        current = getattr(obj, key)
        if key == "methods":
            changes[key] = None if value is None else frozenset(str(m) for m in value)
        elif key == "forbidden_users":
            changes[key] = frozenset(int(u) for u in value or ())
        elif isinstance(current, bool):
            changes[key] = value if isinstance(value, bool) else str(value).lower() == "true"
        elif isinstance(current, int):
            changes[key] = int(value)
        elif isinstance(current, float):
            changes[key] = float(value)
        else:
            changes[key] = value
    return replace(obj, **changes)


@dataclass
class SimUser:
    """A simulated Telegram user; `role` is only a label for the terminal (:member, :officer)."""

    user_id: int
    first_name: str
    username: str | None = None
    language_code: str = "zh-hans"
    role: str = "member"
    blocked: bool = False
    deactivated: bool = False
    started: bool = True  # False: the user never opened the bot, so it may not write first

    def to_api(self) -> JSON:
        """The User object Telegram sends."""
        user: JSON = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def to_view(self) -> JSON:
        """A JSON description for the control API."""
        return asdict(self)


@dataclass
class BotMessage:
    """A message the bot sent, as the member sees it now (after edits and deletion)."""

    chat_id: int
    message_id: int
    date: int
    kind: str  # "text", "photo" or "document"
    text: str  # plain text (entities stripped); the caption for media
    html: str | None  # the raw text or caption exactly as the bot sent it
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None  # inline keyboard, part of the message
    reply_keyboard: JSON | None = None  # reply keyboard / remove / force reply, if sent
    photo: list[JSON] | None = None
    document: JSON | None = None
    edited: bool = False
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    reply_to_message_id: int | None = None
    disable_notification: bool = False

    @property
    def buttons(self) -> list[JSON]:
        """The inline buttons, row by row, flattened."""
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    @property
    def button_rows(self) -> list[list[JSON]]:
        """The inline keyboard rows."""
        if not self.reply_markup:
            return []
        rows: list[list[JSON]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    def button(self, text: str) -> JSON:
        """The inline button with exactly this label; KeyError if absent."""
        for b in self.buttons:
            if b.get("text") == text:
                return b
        raise KeyError(f"no button {text!r} in {[b.get('text') for b in self.buttons]}")

    def to_api(self, bot_user: JSON, chat: JSON) -> JSON:
        """The Message object Telegram returns for this message."""
        msg: JSON = {
            "message_id": self.message_id,
            "from": bot_user,
            "chat": chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if self.kind == "text":
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = self.entities
        else:
            if self.photo is not None:
                msg["photo"] = self.photo
            if self.document is not None:
                msg["document"] = self.document
            if self.text:
                msg["caption"] = self.text
                if self.entities:
                    msg["caption_entities"] = self.entities
        if self.reply_markup is not None:
            msg["reply_markup"] = self.reply_markup
        return msg

    def to_view(self) -> JSON:
        """A JSON description for the control API (round-trips through from_view)."""
        return asdict(self)

    @classmethod
    def from_view(cls, data: Mapping[str, Any]) -> BotMessage:
        """Rebuild from to_view() output (as the HTTP client receives it)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class StoredFile:
    """A file held by the fake server, reachable by file_id and by file_path."""

    file_id: str
    file_unique_id: str
    kind: str  # photo, document, sticker, voice
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def file_size(self) -> int:
        """Size in bytes."""
        return len(self.content)

    def to_file_api(self) -> JSON:
        """The File object getFile returns (file_path relative, as Telegram does)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def to_view(self) -> JSON:
        """A JSON description without the bytes."""
        return {
            "file_id": self.file_id,
            "kind": self.kind,
            "file_path": self.file_path,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": self.file_size,
        }


@dataclass
class CallbackAnswer:
    """A simulated button press and the bot's answer to it (if any)."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    answered_at: float | None = None

    @property
    def latency(self) -> float | None:
        """Seconds from press to answer (by the core's clock)."""
        return None if self.answered_at is None else self.answered_at - self.created_at

    def to_view(self) -> JSON:
        """A JSON description for the control API."""
        view = asdict(self)
        view["latency"] = self.latency
        return view


@dataclass
class CallRecord:
    """One Bot API call as the sandbox saw it."""

    method: str
    params: Mapping[str, Any]
    at: float
    error_code: int | None = None
    description: str | None = None


@dataclass
class WebhookInfo:
    """The webhook set by setWebhook, plus the delivery state getWebhookInfo reports."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


def _tiny_png(width: int = 1, height: int = 1) -> bytes:
    """A valid grey PNG, the default picture a simulated user sends."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


TINY_PNG = _tiny_png(4, 4)


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/GIF/WebP/BMP image, (0, 0) if unknown; None if no image."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        w, h = struct.unpack(">II", content[16:24])
        return int(w), int(h)
    if content.startswith((b"GIF87a", b"GIF89a")) and len(content) >= 10:
        w, h = struct.unpack("<HH", content[6:10])
        return int(w), int(h)
    if content.startswith(b"\xff\xd8\xff") or content.startswith(b"BM"):
        return (0, 0)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return (0, 0)
    return None
