"""A real PTB Bot and Application talking to the core through SandboxRequest."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application

from bot.sandbox.core import TINY_PNG, Faults, SandboxCore
from bot.sandbox.request import SandboxRequest
from tests.sandbox.echo_bot import KEYBOARD, AnyApp, add_handlers


def seconds(retry_after: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB settings."""
    return retry_after.total_seconds() if isinstance(retry_after, dtm.timedelta) else retry_after


@pytest.fixture
async def bot(core: SandboxCore) -> AsyncIterator[Bot]:
    """An initialized Bot wired to the core."""
    async with Bot(core.token, request=SandboxRequest(core)) as b:
        yield b


def build_app(core: SandboxCore) -> AnyApp:
    app = (
        Application.builder()
        .token(core.token)
        .request(SandboxRequest(core))
        .get_updates_request(SandboxRequest(core))
        .build()
    )
    add_handlers(app)
    return app


@pytest.fixture
async def polling_app(core: SandboxCore) -> AsyncIterator[AnyApp]:
    """A running Application polling the core with long polls."""
    app = build_app(core)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_send_and_edit(bot: Bot, core: SandboxCore) -> None:
    assert bot.username == "union_test_bot"
    msg = await bot.send_message(1, "<b>Q1</b> 满意吗?", parse_mode="HTML", reply_markup=KEYBOARD)
    assert msg.text == "Q1 满意吗?"
    assert msg.reply_markup == KEYBOARD
    edited = await bot.edit_message_text(
        "Q2", chat_id=1, message_id=msg.message_id, reply_markup=KEYBOARD
    )
    assert isinstance(edited, type(msg)) and edited.text == "Q2"
    shown = core.last_message(1)
    assert shown is not None and shown.text == "Q2" and shown.edited


async def test_not_modified_is_bad_request(bot: Bot) -> None:
    msg = await bot.send_message(1, "same")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("same", chat_id=1, message_id=msg.message_id)


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")
async def test_flood_limit_is_retry_after(bot: Bot, core: SandboxCore) -> None:
    for _ in range(3):
        await bot.send_message(1, "x")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(1, "x")
    assert seconds(info.value.retry_after) == 1
    core.faults = Faults(rate_limit_count=1, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(2, "x")
    assert seconds(info.value.retry_after) == 7


async def test_blocked_is_forbidden(bot: Bot, core: SandboxCore) -> None:
    core.user_block(2)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(2, "x")


async def test_upload_and_download(bot: Bot, core: SandboxCore) -> None:
    photo = await bot.send_photo(1, TINY_PNG, caption="<i>图</i>", parse_mode="HTML")
    assert photo.caption == "图"
    doc = await bot.send_document(1, b"name,unit\n", filename="members.csv")
    assert doc.document is not None and doc.document.file_name == "members.csv"
    file = await bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"name,unit\n"
    upload = core.user_send_document(1, "a.txt", b"from a member")
    file = await bot.get_file(upload["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"from a member"


async def test_transport_failures(bot: Bot, core: SandboxCore) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    core.faults = Faults(drop_count=1)
    with pytest.raises(NetworkError, match="Server disconnected"):
        await bot.send_message(1, "x")
    core.faults = Faults(delay_count=1, delay_seconds=30)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "x", read_timeout=0.05)
    assert core.sent_count(1) == 0
    core.faults = Faults(server_error_count=1)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(1, "x")


async def test_group_migration_is_chat_migrated(bot: Bot, core: SandboxCore) -> None:
    core.user_send_text(1, "/start", chat_type="group", chat_id=-5)
    core.migrate_group(-5, -1005)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(-5, "x")
    assert info.value.new_chat_id == -1005


async def test_wrong_token(core: SandboxCore) -> None:
    with pytest.raises(InvalidToken):
        await Bot("654321:WRONG", request=SandboxRequest(core)).get_me()


async def test_application_long_polls_text_and_button_presses(
    polling_app: AnyApp,
    core: SandboxCore,
) -> None:
    core.user_send_text(1, "/start")
    menu = await core.wait_for_message(1)
    assert menu.text == "Choose a language"
    assert [b["text"] for b in menu.buttons] == ["中文", "English"]

    query_id = core.user_press_button(1, "English")
    answer = await core.wait_for_answer(query_id)
    assert answer.text == "got lang:en"
    await core.wait_for(lambda: menu.text == "chose lang:en")
    assert menu.reply_markup is None  # the edit dropped the keyboard

    core.user_send_text(2, "hello")
    reply = await core.wait_for_message(2)
    assert reply.text == "HELLO"


async def test_duplicate_updates_reach_the_application_twice(
    polling_app: AnyApp,
    core: SandboxCore,
) -> None:
    core.faults = Faults(duplicate_update_count=1)
    core.user_send_text(1, "dup")
    await core.wait_for(lambda: len(core.messages_for(1)) == 2)
    assert [m.text for m in core.messages_for(1)] == ["DUP", "DUP"]
