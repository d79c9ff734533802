"""One error handler: a failing handler logs with context and the member gets an apology."""

from __future__ import annotations

import logging

import pytest

import handlers.menu
from tests.harness import Harness


async def test_exception_in_a_handler_apologises_and_the_bot_keeps_running(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    t = await bot.tree()
    await bot.member(20, "张三", t["group1"])

    def broken(*_: object) -> str:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(handlers.menu, "help_text", broken)
    with caplog.at_level(logging.ERROR):
        out = await bot.send(20, "/help")
    assert "抱歉，系统出了点问题" in out[-1].text
    assert any("simulated bug" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    monkeypatch.undo()
    out = await bot.send(20, "/help")
    assert "帮助" in out[-1].text


async def test_exception_behind_a_button_answers_the_press(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = await bot.tree()
    await bot.member(20, "张三", t["group1"])
    await bot.send(20, "/menu")

    def broken(*_: object) -> str:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(handlers.menu, "help_text", broken)
    answer = await bot.press_data(20, "m:help")
    assert "抱歉" in answer or "抱歉" in bot.screen(20).text


async def test_button_under_a_photo_brings_the_screen_as_a_new_message(bot: Harness) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.sandbox.models import TINY_PNG

    t = await bot.tree()
    await bot.member(20, "张三", t["group1"])
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("🏠", callback_data="m:home")]])
    photo = await bot.app.bot.send_photo(20, TINY_PNG, reply_markup=markup)
    before = len(bot.messages(20))
    await bot.press_data(20, "m:home", photo.message_id)
    assert len(bot.messages(20)) == before + 1
    assert bot.screen(20).text.startswith("🏠 主菜单")
    assert not any("抱歉" in text for text in bot.texts(20))
