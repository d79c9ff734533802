"""In-process transport: PTB's Bot talks to a SandboxCore without sockets."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram._utils.types import ODVInput  # the signature BaseRequest.do_request declares
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.sandbox.core import ApiError, DroppedConnection, SandboxCore

_METHOD_PATH = re.compile(r"/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_FILE_MARK = "/file/bot"
_UNAUTHORIZED = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
_NOT_FOUND = json.dumps({"ok": False, "error_code": 404, "description": "Not Found"})


class SandboxRequest(BaseRequest):
    """A BaseRequest that answers from a SandboxCore, byte for byte like the HTTP API.

    Use one instance per role, as with HTTPXRequest:
    `Application.builder().token(core.token).request(SandboxRequest(core))
    .get_updates_request(SandboxRequest(core))`. Any base_url works: only the path
    (`/bot<token>/<method>`, `/file/bot<token>/<path>`) is read.
    """

    def __init__(self, core: SandboxCore, read_timeout: float | None = 5.0) -> None:
        self.core = core
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout, honoured so slow-response faults time out as over HTTP."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Route the URL to the core and encode its answer as Telegram would."""
        path = unquote(urlsplit(url).path)
        mark = path.find(_FILE_MARK)
        if mark != -1:
            return self._download(path[mark + len(_FILE_MARK) :])
        match = _METHOD_PATH.search(path)
        if match is None:
            return 404, _NOT_FOUND.encode()
        token, api_method = match.groups()
        if token != self.core.token:
            return 401, _UNAUTHORIZED.encode()
        params, files = _decode(request_data)
        timeout = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        try:
            async with asyncio.timeout(timeout if isinstance(timeout, int | float) else None):
                result = await self.core.call(api_method, params, files)
        except ApiError as exc:
            return exc.error_code, json.dumps(exc.to_json(), ensure_ascii=False).encode()
        except DroppedConnection:
            # What httpx reports when the server closes the socket without answering.
            raise NetworkError(
                "httpx.RemoteProtocolError: Server disconnected without sending a response."
            ) from None
        except TimeoutError:
            raise TimedOut("Timed out") from None
        body = {"ok": True, "result": result}
        return 200, json.dumps(body, ensure_ascii=False).encode()

    def _download(self, rest: str) -> tuple[int, bytes]:
        token, _, file_path = rest.partition("/")
        if token != self.core.token:
            return 401, _UNAUTHORIZED.encode()
        stored = self.core.file_by_path(file_path)
        if stored is None:
            return 404, _NOT_FOUND.encode()
        return 200, stored.content


def _decode(
    request_data: RequestData | None,
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """PTB's parameters as Python values, and uploads as (filename, bytes)."""
    if request_data is None:
        return {}, {}
    params: dict[str, Any] = dict(request_data.parameters)
    files: dict[str, tuple[str, bytes]] = {}
    if request_data.contains_files:
        for name, field_tuple in request_data.multipart_data.items():
            filename, content = field_tuple[0], field_tuple[1]
            data = content if isinstance(content, bytes) else content.read()
            files[name] = (filename or name, data)
    return params, files
