"""Item 16: HTML problems are explained in the officer's language; a bare "<" is text."""

from __future__ import annotations

import pytest

from tests.announcements.helpers import add_branch1, people
from tests.harness import Harness


async def _new(bot: Harness) -> None:
    await people(bot)
    await bot.send(10, "/announce")
    await bot.press(10, "✏️ 新建通知")


async def test_a_formatting_problem_is_explained_in_chinese(bot: Harness) -> None:
    await _new(bot)
    reply = (await bot.send(10, "请<i>准时参加"))[-1].text
    assert "Telegram 不接受这样的格式" in reply and "&lt;i&gt;" not in reply
    assert "<i>" in reply and "没有闭合" in reply
    assert "Can't" not in reply and "tag" not in reply


@pytest.mark.parametrize("text", ["考核标准：5 < 10 为合格", "我 <3 工会"])
async def test_a_bare_less_than_sign_is_text(bot: Harness, text: str) -> None:
    await _new(bot)
    reply = (await bot.send(10, text))[-1].text
    assert "不接受" not in reply and "发送给谁" in reply


async def test_a_quick_correction_replaces_the_refused_text(bot: Harness) -> None:
    await _new(bot)
    assert "不接受" in (await bot.send(10, "<b>周五开会"))[-1].text
    bot.clock.advance(1)  # corrected at once, well within a long paste's gap
    reply = (await bot.send(10, "<b>周五开会</b>"))[-1].text
    assert "发送给谁" in reply
    await add_branch1(bot)
    review = (await bot.press(10, "➡ 继续")).text
    assert review.count("周五开会") == 1


def _wizard_screens(bot: Harness) -> list[str]:
    """The visible answers to the pasted text: the audience screen or the split offer."""
    return [m.text for m in bot.messages(10) if "发送给谁" in m.text or "正文有" in m.text]


async def test_a_paste_split_by_the_app_shows_one_screen(bot: Harness) -> None:
    await _new(bot)
    # The app cuts a long paste into messages a moment apart; the first part alone is
    # short enough to be taken, the whole is offered as two messages.
    await bot.send(10, ("第一段" * 800) + "\n\n" + ("第二段" * 500))
    bot.clock.advance(0.5)
    await bot.send(10, "第三段" * 600)
    screens = _wizard_screens(bot)
    assert len(screens) == 1 and "正文有 5703 字" in screens[0]
    assert "✂ 分成 2 条消息发送" in bot.labels(10)


async def test_a_paste_in_three_parts_shows_one_screen(bot: Harness) -> None:
    await _new(bot)
    await bot.send(10, ("甲" * 3000) + "\n\n" + ("乙" * 1000))
    bot.clock.advance(0.4)
    await bot.send(10, ("丙" * 3000) + "\n\n" + ("丁" * 1000))
    bot.clock.advance(0.4)
    await bot.send(10, "戊" * 500)
    screens = _wizard_screens(bot)
    assert len(screens) == 1 and "可以按段落拆分成 3 条消息发送" in screens[0]
