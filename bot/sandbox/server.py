"""HTTP face of the sandbox: the Bot API, file downloads, webhooks and a JSON control API.

Start it with ``server = await start_server(core)`` (loopback only, port 0 picks a free
port) and point the bot at it::

    Application.builder().token(core.token)
        .base_url(server.base_url).base_file_url(server.base_file_url)

Bot API (behaves like api.telegram.org)
  ``GET|POST /bot<token>/<method>``   JSON, form-urlencoded or multipart bodies, or a
  query string. Answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code":
  ..., "description": ..., "parameters": {"retry_after": N}}``. A wrong token gives 401
  "Unauthorized"; an unknown method 404 "Not Found". Method names are case-insensitive.
  ``GET /file/bot<token>/<file_path>``  the bytes of a file (file_path from getFile).
  When setWebhook is active, updates are POSTed to its URL with the header
  ``X-Telegram-Bot-Api-Secret-Token``; a non-2xx answer or timeout is retried and shows
  in getWebhookInfo.last_error_message.

Control API (JSON; every answer is ``{"ok": true, "result": ...}`` or ``{"ok": false,
"error": "..."}`` with status 400/404)
  ``GET  /sandbox``                           this description
  ``GET  /sandbox/users``                     simulated users
  ``POST /sandbox/users``                     ``{"user_id", "first_name", "username"?,
                                              "language_code"?, "role"?, "started"?}``
  ``POST /sandbox/users/{id}/text``           ``{"text", "chat_type"?, "chat_id"?,
                                              "reply_to_message_id"?}`` -> the Message
  ``POST /sandbox/users/{id}/command``        ``{"command", "args"?, "chat_type"?, "chat_id"?}``
  ``POST /sandbox/users/{id}/photo``          ``{"caption"?, "content"? (base64)}``
  ``POST /sandbox/users/{id}/sticker``        ``{"emoji"?}``
  ``POST /sandbox/users/{id}/voice``          ``{"duration"?}``
  ``POST /sandbox/users/{id}/document``       ``{"filename", "content" (base64),
                                              "mime_type"?, "caption"?}``
  ``POST /sandbox/users/{id}/press``          ``{"message_id", "data"}`` (any data, forged
                                              on purpose if you like) or ``{"text",
                                              "message_id"?}`` to press a button by label
                                              -> ``{"callback_query_id"}``
  ``POST /sandbox/users/{id}/block``          the user blocks the bot (sends get 403)
  ``POST /sandbox/users/{id}/unblock``
  ``POST /sandbox/users/{id}/deactivate``     the account is deleted (403 user is deactivated)
  ``GET  /sandbox/chats/{id}/messages``       ``?since_version=V&wait=S`` long-polls up to S
                                              seconds (max 30) for a change after version V
                                              -> ``{"version", "messages": [BotMessage view]}``
  ``GET  /sandbox/chats/{id}/last``           the newest visible bot message or null
  ``POST /sandbox/chats/{id}/migrate``        ``{"to_chat_id"}``: the group became a
                                              supergroup (old id -> 400 migrate_to_chat_id)
  ``GET  /sandbox/chats/{id}/documents``      documents the bot sent (without bytes)
  ``GET  /sandbox/files/{file_id}``           the raw bytes of any stored file
  ``GET  /sandbox/callbacks``                 presses and answers (``?chat_id=&user_id=``)
  ``GET  /sandbox/callbacks/{query_id}``      one press and its answer
  ``GET  /sandbox/faults`` / ``POST``         read / change fault injection (partial JSON;
                                              POST resets the seeded random generator)
  ``GET  /sandbox/limits`` / ``POST``         read / change rate limits (partial JSON)
  ``GET  /sandbox/stats``                     counters: calls, errors, sent per chat, updates
  ``GET  /sandbox/calls``                     recent Bot API calls (``?method=&limit=``)
  ``POST /sandbox/advance``                   ``{"by": "1d"}`` (or 2h, 30m, 1w, "1d 2h") or
                                              ``{"seconds": N}``: the time machine moves the
                                              bot's and this server's clock forward and runs
                                              the jobs that fell due -> ``{"now",
                                              "offset_seconds", "job_runs"}`` (only when the
                                              server runs with a bot: ``python -m bot sandbox``)

A BotMessage view has chat_id, message_id, date, kind (text/photo/document), text (plain,
entities stripped; the caption for media), html (raw as sent), parse_mode, entities,
reply_markup, reply_keyboard, photo, document, edited, edit_count, edit_date, deleted,
reply_to_message_id, disable_notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.control import Control, add_control_routes, control_errors, dumps
from bot.sandbox.core import (
    MAX_UPLOAD,
    ApiError,
    DroppedConnection,
    SandboxCore,
)
from bot.sandbox.time_machine import Advance

JSON = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_CORE_KEY = web.AppKey("core", SandboxCore)


class _BotApi:
    """Handlers for the Bot API routes."""

    def __init__(self, core: SandboxCore) -> None:
        self.core = core

    async def method(self, request: web.Request) -> web.StreamResponse:
        core = self.core
        if request.match_info["token"] != core.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        try:
            params, files = await _read_params(request)
        except ValueError as exc:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"},
                status=400,
            )
        try:
            result = await core.call(request.match_info["method"], params, files)
        except ApiError as exc:
            return web.json_response(exc.to_json(), status=exc.error_code, dumps=dumps)
        except DroppedConnection:
            # Close the socket without a status line: the client sees a protocol error.
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError() from None
        return web.json_response({"ok": True, "result": result}, dumps=dumps)

    async def file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.core.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self.core.file_by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )


async def _read_params(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Query string plus a JSON, urlencoded or multipart body, as Telegram accepts them."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise ValueError("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ValueError("JSON object expected")
            params.update(body)
        return params, files
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = (value.filename, value.file.read())
        else:
            params[name] = value
    return params, files


def build_app(core: SandboxCore, advance: Advance | None = None) -> web.Application:
    """The aiohttp application serving the Bot API and the control API for one core.

    `advance` is the time machine of the bot running against this core, if any.
    """
    app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024, middlewares=[control_errors])
    app[_CORE_KEY] = core
    api = _BotApi(core)
    app.router.add_route("*", "/bot{token}/{method}", api.method)
    app.router.add_get("/file/bot{token}/{path:.+}", api.file)
    add_control_routes(app.router, Control(core, advance, __doc__ or ""))
    return app


async def deliver_webhooks(core: SandboxCore, session: aiohttp.ClientSession) -> None:
    """POST queued updates to the webhook one at a time, in order, retrying failures."""
    backoff = 0.05
    while True:
        hook = core.webhook
        update = core.peek_update() if hook is not None else None
        if hook is None or update is None:
            await core.wait_updates(None)
            continue
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        error: str | None = None
        try:
            async with session.post(
                hook.url,
                data=json.dumps(update, ensure_ascii=False).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=core.limits.webhook_timeout),
            ) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientError as exc:
            error = f"Connection failed: {exc}"
        if error is None:
            core.pop_update(update)
            backoff = 0.05
        else:
            core.record_webhook_error(error)
            # Telegram retries with growing pauses; a webhook change wakes us early.
            await core.wait_updates(backoff)
            backoff = min(backoff * 2, 2.0)


class RunningServer:
    """A started sandbox server; stop() it (or use `async with`)."""

    def __init__(
        self,
        core: SandboxCore,
        runner: web.AppRunner,
        host: str,
        port: int,
        webhook_task: asyncio.Task[None],
        session: aiohttp.ClientSession,
    ) -> None:
        self.core = core
        self.host = host
        self.port = port
        self._runner = runner
        self._webhook_task = webhook_task
        self._session = session

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:54321."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For PTB's base_url (it appends the token and method)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For PTB's base_file_url."""
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        """Root of the control API, for SandboxClient."""
        return f"{self.url}/sandbox"

    async def stop(self) -> None:
        """Stop delivering webhooks and close the listening socket."""
        self._webhook_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._webhook_task
        await self._session.close()
        await self._runner.cleanup()

    async def __aenter__(self) -> RunningServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def start_server(
    core: SandboxCore,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    advance: Advance | None = None,
) -> RunningServer:
    """Serve the core over HTTP on a loopback address (port 0: any free port)."""
    if host not in _LOOPBACK:
        raise ValueError("the sandbox binds only to loopback addresses")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual_port = int(sock.getsockname()[1])
    # handler_cancellation: a client that gives up (timeout, closed socket) cancels its
    # call, as SandboxRequest's timeout does in-process, so both transports agree on
    # whether a slow call was carried out.
    runner = web.AppRunner(
        build_app(core, advance), access_log=None, handle_signals=False, handler_cancellation=True
    )
    await runner.setup()
    await web.SockSite(runner, sock).start()
    session = aiohttp.ClientSession()
    task = asyncio.create_task(deliver_webhooks(core, session), name="sandbox-webhooks")
    return RunningServer(core, runner, host, actual_port, task, session)
