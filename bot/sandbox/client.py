"""Async HTTP client for the sandbox control API, mirroring SandboxCore's user actions."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.sandbox.core import BotMessage, SimUser

JSON = dict[str, Any]


class SandboxClientError(RuntimeError):
    """The control API refused a request (unknown user, bad field, ...)."""


class SandboxClient:
    """Drive simulated users of a running sandbox server over HTTP.

    `url` is the server root (RunningServer.url). Method names match SandboxCore's, so
    a test can switch between in-process and HTTP with little change.
    """

    def __init__(
        self,
        url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        poll_interval: float = 1.0,
    ) -> None:
        self.url = url.rstrip("/")
        self._session = session
        self._own_session = session is None
        # The longest a single long-poll request waits server-side before re-checking.
        self.poll_interval = poll_interval
        self._last_user_message: dict[int, int] = {}

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def _request(
        self, method: str, path: str, body: JSON | None = None, query: JSON | None = None
    ) -> Any:
        url = f"{self.url}/sandbox/{path}"
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        async with self._http().request(method, url, json=body, params=params) as response:
            data = await response.json()
        if not data.get("ok"):
            raise SandboxClientError(data.get("error", f"HTTP {response.status}"))
        return data["result"]

    async def _get(self, path: str, **query: Any) -> Any:
        return await self._request("GET", path, query=query)

    async def _post(self, path: str, body: JSON | None = None) -> Any:
        return await self._request("POST", path, body=body or {})

    def _remember(self, message: JSON) -> JSON:
        self._last_user_message[int(message["chat"]["id"])] = int(message["message_id"])
        return message

    # --- users -----------------------------------------------------------------------------

    async def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str = "zh-hans",
        *,
        role: str = "member",
        started: bool = True,
    ) -> SimUser:
        """Create a simulated user."""
        view = await self._post(
            "users",
            {
                "user_id": user_id,
                "first_name": first_name,
                "username": username,
                "language_code": language_code,
                "role": role,
                "started": started,
            },
        )
        return SimUser(**view)

    async def users(self) -> list[SimUser]:
        """All simulated users."""
        return [SimUser(**u) for u in await self._get("users")]

    async def user_send_text(
        self,
        user_id: int,
        text: str,
        chat_type: str = "private",
        chat_id: int | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends text; returns their Message."""
        return self._remember(
            await self._post(
                f"users/{user_id}/text",
                {
                    "text": text,
                    "chat_type": chat_type,
                    "chat_id": chat_id,
                    "reply_to_message_id": reply_to_message_id,
                },
            )
        )

    async def user_send_command(self, user_id: int, command: str, args: str = "") -> JSON:
        """The user sends /command [args]."""
        return self._remember(
            await self._post(f"users/{user_id}/command", {"command": command, "args": args})
        )

    async def user_send_photo(
        self, user_id: int, caption: str | None = None, content: bytes | None = None
    ) -> JSON:
        """The user sends a picture (a tiny PNG unless content is given)."""
        body: JSON = {"caption": caption}
        if content is not None:
            body["content"] = base64.b64encode(content).decode()
        return self._remember(await self._post(f"users/{user_id}/photo", body))

    async def user_send_sticker(self, user_id: int, emoji: str = "👍") -> JSON:
        """The user sends a sticker."""
        return self._remember(await self._post(f"users/{user_id}/sticker", {"emoji": emoji}))

    async def user_send_voice(self, user_id: int, duration: int = 3) -> JSON:
        """The user sends a voice note."""
        return self._remember(await self._post(f"users/{user_id}/voice", {"duration": duration}))

    async def user_send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> JSON:
        """The user sends a file."""
        return self._remember(
            await self._post(
                f"users/{user_id}/document",
                {
                    "filename": filename,
                    "content": base64.b64encode(content).decode(),
                    "mime_type": mime_type,
                    "caption": caption,
                },
            )
        )

    async def user_press(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> str:
        """Press a button (any data, forged or not); returns the callback query id."""
        result = await self._post(
            f"users/{user_id}/press",
            {"message_id": message_id, "data": callback_data, "chat_id": chat_id},
        )
        return str(result["callback_query_id"])

    async def user_press_button(
        self, user_id: int, text: str, message_id: int | None = None
    ) -> str:
        """Press the button with this label (default: on the newest message with buttons)."""
        result = await self._post(
            f"users/{user_id}/press", {"text": text, "message_id": message_id}
        )
        return str(result["callback_query_id"])

    async def user_block(self, user_id: int) -> None:
        """The user blocks the bot."""
        await self._post(f"users/{user_id}/block")

    async def user_unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        await self._post(f"users/{user_id}/unblock")

    async def migrate_group(self, chat_id: int, new_chat_id: int) -> None:
        """The group becomes a supergroup with a new id."""
        await self._post(f"chats/{chat_id}/migrate", {"to_chat_id": new_chat_id})

    # --- what the users see ----------------------------------------------------------------

    async def chat_state(
        self, chat_id: int, since_version: int | None = None, wait: float = 0.0
    ) -> tuple[int, list[BotMessage]]:
        """(version, bot messages); with since_version, wait up to `wait` s for a change."""
        result = await self._get(
            f"chats/{chat_id}/messages",
            since_version=since_version,
            wait=wait if since_version is not None else None,
        )
        return int(result["version"]), [BotMessage.from_view(m) for m in result["messages"]]

    async def messages_for(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, oldest first (edited and deleted ones flagged)."""
        return (await self.chat_state(chat_id))[1]

    async def last_message(self, chat_id: int) -> BotMessage | None:
        """The newest visible bot message."""
        view = await self._get(f"chats/{chat_id}/last")
        return BotMessage.from_view(view) if view is not None else None

    async def documents_for(self, chat_id: int) -> list[JSON]:
        """Documents the bot sent to a chat (file_id, file_name, mime_type, ...)."""
        result: list[JSON] = await self._get(f"chats/{chat_id}/documents")
        return result

    async def download(self, file_id: str) -> bytes:
        """The bytes of a stored file."""
        async with self._http().get(f"{self.url}/sandbox/files/{file_id}") as response:
            if response.status != 200:
                raise SandboxClientError(f"unknown file {file_id}")
            return await response.read()

    async def callback_answer(self, query_id: str) -> JSON:
        """A press and the bot's answer (answered, text, show_alert, latency)."""
        result: JSON = await self._get(f"callbacks/{query_id}")
        return result

    async def callback_answers(
        self, chat_id: int | None = None, user_id: int | None = None
    ) -> list[JSON]:
        """Presses and answers, oldest first."""
        result: list[JSON] = await self._get("callbacks", chat_id=chat_id, user_id=user_id)
        return result

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline over several requests
        *,
        after: int | None = None,
    ) -> BotMessage:
        """The first visible bot message newer than `after` (default: the user's last
        message sent through this client) that matches predicate.

        Each request long-polls the server for at most poll_interval seconds, so the
        wait is bounded and never spins.
        """
        floor = self._last_user_message.get(chat_id, 0) if after is None else after
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        version: int | None = None
        while True:
            remaining = deadline - loop.time()
            wait = max(0.0, min(self.poll_interval, remaining))
            version, messages = await self.chat_state(chat_id, version, wait)
            for msg in messages:
                if (
                    msg.message_id > floor
                    and not msg.deleted
                    and (predicate is None or predicate(msg))
                ):
                    return msg
            if loop.time() >= deadline:
                raise TimeoutError(f"no matching message in chat {chat_id} within {timeout} s")

    # --- knobs and counters ----------------------------------------------------------------

    async def faults(self) -> JSON:
        """Current fault injection settings."""
        result: JSON = await self._get("faults")
        return result

    async def set_faults(self, **changes: Any) -> JSON:
        """Change fault settings (e.g. rate_limit_count=2); reseeds the generator."""
        result: JSON = await self._post("faults", changes)
        return result

    async def limits(self) -> JSON:
        """Current rate limits."""
        result: JSON = await self._get("limits")
        return result

    async def set_limits(self, **changes: Any) -> JSON:
        """Change rate limits (e.g. enabled=False, strict=True)."""
        result: JSON = await self._post("limits", changes)
        return result

    async def stats(self) -> JSON:
        """Counters: calls per method, errors per code, messages sent per chat, updates."""
        result: JSON = await self._get("stats")
        return result

    async def advance(self, by: str | float) -> JSON:
        """Time machine: "1d", "2h", "30m" or seconds; -> {"now", "offset_seconds", ...}."""
        body: JSON = {"seconds": by} if isinstance(by, int | float) else {"by": by}
        result: JSON = await self._post("advance", body)
        return result

    async def sent_count(self, chat_id: int) -> int:
        """Messages delivered to a chat."""
        return int((await self.stats())["sent"].get(str(chat_id), 0))
