"""The sandbox's control API (/sandbox/*): act as users, inspect chats, inject faults."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.sandbox.core import SandboxCore, SandboxError, settings_from_json, settings_to_json
from bot.sandbox.time_machine import Advance, parse_duration

JSON = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result}, dumps=dumps)


def fail(message: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status, dumps=dumps)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


class Control:
    """Handlers for /sandbox/*, the simulated users' side."""

    def __init__(self, core: SandboxCore, advance: Advance | None = None, doc: str = "") -> None:
        self.core = core
        self._advance = advance
        self._doc = doc

    async def advance(self, request: web.Request, body: JSON) -> Any:
        if self._advance is None:
            raise SandboxError("no time machine here: it comes with `python -m bot sandbox`")
        by = body.get("by")
        return await self._advance(
            parse_duration(str(by)) if by is not None else float(body["seconds"])
        )

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text=self._doc, content_type="text/plain")

    async def users(self, request: web.Request) -> web.StreamResponse:
        return ok([u.to_view() for u in self.core.users])

    async def add_user(self, request: web.Request, body: JSON) -> Any:
        user_id = body.get("user_id", body.get("id"))
        if user_id is None or "first_name" not in body:
            raise SandboxError("user_id and first_name are required")
        user = self.core.add_user(
            int(user_id),
            str(body["first_name"]),
            body.get("username"),
            body.get("language_code", "zh-hans"),
            role=body.get("role", "member"),
            started=bool(body.get("started", True)),
        )
        return user.to_view()

    async def text(self, request: web.Request, body: JSON) -> Any:
        return self.core.user_send_text(
            _user_id(request),
            str(body["text"]),
            body.get("chat_type", "private"),
            _opt_int(body.get("chat_id")),
            reply_to_message_id=_opt_int(body.get("reply_to_message_id")),
        )

    async def command(self, request: web.Request, body: JSON) -> Any:
        return self.core.user_send_command(
            _user_id(request),
            str(body["command"]),
            str(body.get("args", "")),
            chat_type=body.get("chat_type", "private"),
            chat_id=_opt_int(body.get("chat_id")),
        )

    async def photo(self, request: web.Request, body: JSON) -> Any:
        content = body.get("content")
        return self.core.user_send_photo(
            _user_id(request),
            body.get("caption"),
            base64.b64decode(content) if content else None,
        )

    async def sticker(self, request: web.Request, body: JSON) -> Any:
        return self.core.user_send_sticker(_user_id(request), body.get("emoji", "👍"))

    async def voice(self, request: web.Request, body: JSON) -> Any:
        return self.core.user_send_voice(_user_id(request), int(body.get("duration", 3)))

    async def document(self, request: web.Request, body: JSON) -> Any:
        return self.core.user_send_document(
            _user_id(request),
            str(body["filename"]),
            base64.b64decode(body["content"]),
            body.get("mime_type"),
            body.get("caption"),
        )

    async def press(self, request: web.Request, body: JSON) -> Any:
        user_id = _user_id(request)
        chat_id = _opt_int(body.get("chat_id"))
        if "data" in body:
            query_id = self.core.user_press(
                user_id, int(body["message_id"]), str(body["data"]), chat_id
            )
        elif "text" in body:
            query_id = self.core.user_press_button(
                user_id, str(body["text"]), _opt_int(body.get("message_id")), chat_id
            )
        else:
            raise SandboxError('press needs "message_id" and "data", or a button "text"')
        return {"callback_query_id": query_id}

    async def block(self, request: web.Request, body: JSON) -> Any:
        self.core.user_block(_user_id(request))
        return True

    async def unblock(self, request: web.Request, body: JSON) -> Any:
        self.core.user_unblock(_user_id(request))
        return True

    async def deactivate(self, request: web.Request, body: JSON) -> Any:
        self.core.user_deactivate(_user_id(request))
        return True

    async def messages(self, request: web.Request) -> web.StreamResponse:
        core = self.core
        chat_id = int(request.match_info["chat_id"])
        since = _opt_int(request.query.get("since_version"))
        wait = min(float(request.query.get("wait", 0) or 0), 30.0)
        if since is not None and wait > 0:
            with contextlib.suppress(TimeoutError):
                await core.wait_for(lambda: core.chat_version(chat_id) > since, wait)
        return ok(
            {
                "version": core.chat_version(chat_id),
                "messages": [m.to_view() for m in core.messages_for(chat_id)],
            }
        )

    async def migrate(self, request: web.Request, body: JSON) -> Any:
        self.core.migrate_group(int(request.match_info["chat_id"]), int(body["to_chat_id"]))
        return True

    async def last(self, request: web.Request) -> web.StreamResponse:
        msg = self.core.last_message(int(request.match_info["chat_id"]))
        return ok(msg.to_view() if msg is not None else None)

    async def documents(self, request: web.Request) -> web.StreamResponse:
        docs = self.core.documents_for(int(request.match_info["chat_id"]))
        return ok([d.to_view() for d in docs])

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.core.file(request.match_info["file_id"])
        if stored is None:
            return fail("unknown file_id", 404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def callbacks(self, request: web.Request) -> web.StreamResponse:
        answers = self.core.callback_answers(
            _opt_int(request.query.get("chat_id")), _opt_int(request.query.get("user_id"))
        )
        return ok([a.to_view() for a in answers])

    async def callback(self, request: web.Request) -> web.StreamResponse:
        answer = self.core.callback_answer(request.match_info["query_id"])
        if answer is None:
            return fail("unknown callback query", 404)
        return ok(answer.to_view())

    async def get_faults(self, request: web.Request) -> web.StreamResponse:
        return ok(settings_to_json(self.core.faults))

    async def set_faults(self, request: web.Request, body: JSON) -> Any:
        self.core.faults = settings_from_json(self.core.faults, body)
        return settings_to_json(self.core.faults)

    async def get_limits(self, request: web.Request) -> web.StreamResponse:
        return ok(settings_to_json(self.core.limits))

    async def set_limits(self, request: web.Request, body: JSON) -> Any:
        self.core.limits = settings_from_json(self.core.limits, body)
        return settings_to_json(self.core.limits)

    async def stats(self, request: web.Request) -> web.StreamResponse:
        return ok(self.core.stats())

    async def calls(self, request: web.Request) -> web.StreamResponse:
        method = request.query.get("method")
        limit = int(request.query.get("limit", 100))
        calls = [c for c in self.core.calls if method is None or c.method == method]
        return ok(
            [
                {
                    "method": c.method,
                    "params": c.params,
                    "at": c.at,
                    "error_code": c.error_code,
                    "description": c.description,
                }
                for c in calls[-limit:]
            ]
        )


def _user_id(request: web.Request) -> int:
    return int(request.match_info["user_id"])


def _opt_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def with_body(handler: Callable[[web.Request, JSON], Awaitable[Any]]) -> Handler:
    """Adapt a control handler: parse the JSON body, map misuse to a 400 answer."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json() if request.body_exists else {}
        except ValueError:
            return fail("the body must be JSON")
        if not isinstance(body, dict):
            return fail("the body must be a JSON object")
        try:
            return ok(await handler(request, body))
        except (KeyError, TypeError) as exc:
            return fail(f"missing or bad field: {exc}")
        except ValueError as exc:  # SandboxError included
            return fail(str(exc))

    return wrapped


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer misuse of GET control routes with JSON instead of a 500 page."""
    try:
        return await handler(request)
    except SandboxError as exc:
        return fail(str(exc))
    except ValueError as exc:
        if request.path.startswith("/sandbox"):
            return fail(str(exc))
        raise


def add_control_routes(r: web.UrlDispatcher, control: Control) -> None:
    """Serve the control API's routes under /sandbox."""
    r.add_get("/sandbox", control.index)
    r.add_get("/sandbox/", control.index)
    r.add_get("/sandbox/users", control.users)
    r.add_post("/sandbox/users", with_body(control.add_user))
    for action in (
        "text",
        "command",
        "photo",
        "sticker",
        "voice",
        "document",
        "press",
        "block",
        "unblock",
        "deactivate",
    ):
        r.add_post(f"/sandbox/users/{{user_id}}/{action}", with_body(getattr(control, action)))
    r.add_get("/sandbox/chats/{chat_id}/messages", control.messages)
    r.add_get("/sandbox/chats/{chat_id}/last", control.last)
    r.add_post("/sandbox/chats/{chat_id}/migrate", with_body(control.migrate))
    r.add_get("/sandbox/chats/{chat_id}/documents", control.documents)
    r.add_get("/sandbox/files/{file_id}", control.file)
    r.add_get("/sandbox/callbacks", control.callbacks)
    r.add_get("/sandbox/callbacks/{query_id}", control.callback)
    r.add_get("/sandbox/faults", control.get_faults)
    r.add_post("/sandbox/faults", with_body(control.set_faults))
    r.add_get("/sandbox/limits", control.get_limits)
    r.add_post("/sandbox/limits", with_body(control.set_limits))
    r.add_get("/sandbox/stats", control.stats)
    r.add_get("/sandbox/calls", control.calls)
    r.add_post("/sandbox/advance", with_body(control.advance))
