"""The sandbox over real HTTP: PTB with base_url, webhooks, and the control API client."""

from __future__ import annotations

import datetime as dtm
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.sandbox.client import SandboxClient, SandboxClientError
from bot.sandbox.core import TINY_PNG, Faults, SandboxCore
from bot.sandbox.server import RunningServer, start_server
from tests.sandbox.echo_bot import KEYBOARD, AnyApp


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def test_server_binds_only_loopback(core: SandboxCore) -> None:
    with pytest.raises(ValueError):
        await start_server(core, host="0.0.0.0")


async def test_urls(server: RunningServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert server.base_url == server.url + "/bot"
    assert server.base_file_url == server.url + "/file/bot"


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")
async def test_ptb_over_http(http_bot: Bot, core: SandboxCore) -> None:
    msg = await http_bot.send_message(1, "<b>开会</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    assert msg.text == "开会"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await http_bot.edit_message_text(
            "<b>开会</b>",
            chat_id=1,
            message_id=msg.message_id,
            parse_mode="HTML",
            reply_markup=KEYBOARD,
        )
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await http_bot.send_message(1, "<b>oops", parse_mode="HTML")
    await http_bot.send_message(1, "2")
    await http_bot.send_message(1, "3")
    with pytest.raises(RetryAfter) as info:
        await http_bot.send_message(1, "4")
    assert retry_seconds(info.value) == 1
    core.user_block(2)
    with pytest.raises(Forbidden):
        await http_bot.send_message(2, "x")


async def test_multipart_upload_and_file_download(http_bot: Bot, core: SandboxCore) -> None:
    doc = await http_bot.send_document(1, b"a,b\n1,2\n", filename="results.csv", caption="结果")
    assert doc.document is not None and doc.caption == "结果"
    file = await http_bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
    photo = await http_bot.send_photo(1, TINY_PNG)
    assert photo.photo[-1].width == 4
    assert core.documents_for(1)[0].file_name == "results.csv"


async def test_transport_faults_over_http(http_bot: Bot, core: SandboxCore) -> None:
    core.faults = Faults(drop_count=1)
    with pytest.raises(NetworkError, match="Server disconnected"):
        await http_bot.send_message(1, "dropped")
    assert core.sent_count(1) == 0
    # Slow, but Telegram delivered before answering: the client cannot tell.
    core.faults = Faults(delay_count=1, delay_seconds=30, commit_before_fault=True)
    with pytest.raises(TimedOut):
        await http_bot.send_message(1, "slow", read_timeout=0.2)
    assert core.sent_count(1) == 1
    core.faults = Faults(server_error_count=1, server_error_code=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await http_bot.send_message(1, "x")


async def test_raw_http_encodings(server: RunningServer, core: SandboxCore) -> None:
    api = f"{server.base_url}{core.token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.base_url}1:WRONG/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.get(f"{api}/getme") as r:
            assert (await r.json())["result"]["username"] == "union_test_bot"
        form = {"chat_id": "1", "text": "表单", "reply_markup": json.dumps(KEYBOARD.to_dict())}
        async with http.post(f"{api}/sendMessage", data=form) as r:
            body = await r.json()
            assert body["ok"] and body["result"]["reply_markup"] == KEYBOARD.to_dict()
        async with http.post(f"{api}/sendMessage", params={"chat_id": 1, "text": "query"}) as r:
            assert (await r.json())["result"]["text"] == "query"
        multipart = aiohttp.FormData()
        multipart.add_field("chat_id", "2")
        multipart.add_field("document", b"%PDF", filename="a.pdf")
        async with http.post(f"{api}/sendDocument", data=multipart) as r:
            assert (await r.json())["result"]["document"]["file_name"] == "a.pdf"
        async with http.post(
            f"{api}/sendMessage", data=b"{oops", headers={"Content-Type": "application/json"}
        ) as r:
            assert r.status == 400
        async with http.post(f"{api}/nope", json={}) as r:
            assert (r.status, (await r.json())["description"]) == (404, "Not Found")
        async with http.get(f"{server.url}/file/bot{core.token}/nope") as r:
            assert r.status == 404


async def test_application_polls_over_http(
    http_app: AnyApp,
    core: SandboxCore,
) -> None:
    core.user_send_text(1, "/start")
    menu = await core.wait_for_message(1)
    query_id = core.user_press(1, menu.message_id, "lang:zh")
    assert (await core.wait_for_answer(query_id)).text == "got lang:zh"
    core.user_send_text(1, "ni hao")
    assert (await core.wait_for_message(1)).text == "NI HAO"


Hook = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def receiver() -> AsyncIterator[Callable[[Hook], Awaitable[str]]]:
    """Start a loopback webhook endpoint with a given handler; returns its URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Hook) -> str:
        app = web.Application()
        app.router.add_post("/hook", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(runner, sock).start()
        runners.append(runner)
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hook"

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_webhook_delivery_with_secret_and_duplicates(
    http_bot: Bot, core: SandboxCore, receiver: Callable[[Hook], Awaitable[str]]
) -> None:
    received: list[dict[str, object]] = []
    failures = [2]  # answer the first two deliveries with 500

    async def hook(request: web.Request) -> web.StreamResponse:
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
        if failures[0]:
            failures[0] -= 1
            return web.Response(status=500)
        received.append(await request.json())
        return web.Response()

    url = await receiver(hook)
    assert await http_bot.set_webhook(url, secret_token="s3cret")
    core.user_send_text(1, "first")
    await core.wait_for(lambda: len(received) == 1)
    info = await http_bot.get_webhook_info()
    assert info.url == url
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

    core.faults = Faults(duplicate_update_count=1)
    core.user_send_text(1, "second")
    await core.wait_for(lambda: len(received) == 3)
    assert received[1]["update_id"] == received[2]["update_id"]
    assert (await http_bot.get_webhook_info()).pending_update_count == 0


async def test_control_client_drives_a_bot(
    http_app: AnyApp,
    client: SandboxClient,
) -> None:
    user = await client.add_user(7, "Zhang Wei", "zhangwei", role="officer")
    assert user.role == "officer"
    assert [u.user_id for u in await client.users()] == [1, 2, 7]
    await client.user_send_command(7, "start")
    menu = await client.wait_for_message(7, timeout=5)
    assert [b["text"] for b in menu.buttons] == ["中文", "English"]
    query_id = await client.user_press_button(7, "English")
    edited = await client.wait_for_message(
        7, lambda m: m.text == "chose lang:en", after=menu.message_id - 1, timeout=5
    )
    assert edited.edited and edited.message_id == menu.message_id
    answer = await client.callback_answer(query_id)
    assert answer["answered"] and answer["text"] == "got lang:en"
    await client.user_send_text(7, "hi")
    assert (await client.wait_for_message(7)).text == "HI"
    last = await client.last_message(7)
    assert last is not None and last.text == "HI"
    stats = await client.stats()
    assert stats["calls"]["answerCallbackQuery"] == 1
    assert await client.sent_count(7) == 2


async def test_control_client_files_faults_and_errors(
    client: SandboxClient, http_bot: Bot, core: SandboxCore
) -> None:
    sent = await client.user_send_document(1, "意见.txt", "食堂".encode())
    file = await http_bot.get_file(sent["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == "食堂".encode()
    photo = await client.user_send_photo(1, caption="照片")
    assert photo["caption"] == "照片"
    assert "sticker" in await client.user_send_sticker(1)
    assert "voice" in await client.user_send_voice(1)

    await http_bot.send_document(1, b"xlsx-bytes", filename="report.xlsx")
    (doc,) = await client.documents_for(1)
    assert await client.download(doc["file_id"]) == b"xlsx-bytes"

    faults = await client.set_faults(rate_limit_count=1, retry_after=3)
    assert faults["rate_limit_count"] == 1 and core.faults.retry_after == 3
    assert (await client.faults())["retry_after"] == 3
    limits = await client.set_limits(strict=True)
    assert limits["strict"] and core.limits.strict
    assert (await client.limits())["global_per_second"] == 30

    await client.user_block(2)
    assert core.user(2).blocked
    await client.user_unblock(2)
    assert not core.user(2).blocked

    await client.user_send_text(1, "/start", chat_type="group", chat_id=-9)
    await client.migrate_group(-9, -1009)
    assert (await core.call("getChat", {"chat_id": -1009}))["type"] == "supergroup"

    with pytest.raises(SandboxClientError, match="unknown user"):
        await client.user_send_text(99, "who am I")
    with pytest.raises(SandboxClientError, match="unknown field"):
        await client.set_faults(nonsense=1)
    with pytest.raises(SandboxClientError):
        await client.user_press(1, 12345, "x")
