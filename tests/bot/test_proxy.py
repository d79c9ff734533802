"""TELEGRAM_PROXY carries every Bot API call: replies, polling and the delivery engine."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.sandbox.core import Limits, SandboxCore
from bot.sandbox.server import start_server
from tests.bot.running import TOKEN, greet, settings_for


class ForwardProxy:
    """A minimal HTTP forward proxy (absolute-form requests) that notes each Bot API method."""

    def __init__(self) -> None:
        self.methods: list[str] = []
        self._session = aiohttp.ClientSession()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        await self._session.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                method, target, _ = head[0].split(" ", 2)
                headers = dict(
                    (k.strip().lower(), v.strip())
                    for k, _, v in (line.partition(":") for line in head[1:] if ":" in line)
                )
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.methods.append(urlsplit(target).path.rsplit("/", 1)[-1].lower())
                keep = {k: v for k, v in headers.items() if k in ("content-type", "accept")}
                async with self._session.request(method, target, data=body, headers=keep) as r:
                    payload = await r.read()
                    kind = r.headers.get("Content-Type", "application/json")
                writer.write(
                    f"HTTP/1.1 {r.status} Proxied\r\nContent-Type: {kind}\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


# The test proxy does not pass on the client closing its long poll, so at shutdown the
# fake server still holds it when PTB's last getUpdates arrives: Telegram answers the older
# one 409 "terminated by other getUpdates request", as it would for any cut long poll.
@pytest.mark.api_errors("terminated by other getUpdates request")
async def test_every_bot_api_call_goes_through_the_proxy(tmp_path: Path) -> None:
    core = SandboxCore(TOKEN, "union_test_bot", limits=Limits(enabled=False))
    core.add_user(41, "钱七")
    proxy = ForwardProxy()
    proxy_url = await proxy.start()
    try:
        async with await start_server(core) as server:
            settings = settings_for(tmp_path, server.url, telegram_proxy=proxy_url)
            assert "语言" in await greet(settings, server.url, 41)
    finally:
        await proxy.stop()
    seen = Counter(call.method.lower() for call in core.calls)
    proxied = Counter(proxy.methods)
    assert seen <= proxied, f"calls that bypassed the proxy: {seen - proxied}"
    # The app and the delivery engine each introduce themselves (getMe) through it.
    assert proxied["getme"] >= 2 and proxied["getupdates"] >= 1 and proxied["sendmessage"] >= 1


async def test_a_socks_proxy_is_supported(tmp_path: Path) -> None:
    proxy = "socks5://127.0.0.1:1080"
    settings = settings_for(tmp_path, "https://api.telegram.org", telegram_proxy=proxy)
    # httpx refuses a socks proxy without socksio (PTB's `socks` extra): building is the check.
    build_application(settings)
    HTTPXRequest(proxy=settings.telegram_proxy)
