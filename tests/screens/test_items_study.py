"""Items 11 and 12: the leaderboard says who is listed; officer commands follow the language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness
from tests.study.helpers import start_example


@pytest.fixture
async def study_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The example study plan running for one group."""
    harness = await Harness(tmp_path, admin_ids=(1,), anonymity_threshold=3).start()
    t = await harness.tree()
    await harness.member(1, "主席", t["company"], role="admin")
    await harness.member(20, "张三", t["group1"])
    await harness.member(21, "李四", t["group1"])
    await harness.member(22, "王五", t["group1"])
    await start_example(harness, 1)
    try:
        yield harness
    finally:
        await harness.stop()


async def test_listing_myself_with_no_points_shows_me_on_the_board(study_bot: Harness) -> None:
    bot = study_bot
    await bot.send(20, "/study")
    await bot.press_labelled(20, "两学一做")
    await bot.press(20, "🏆 排行榜")
    assert "暂无会员选择上榜" in bot.screen(20).text
    board = (await bot.press(20, "🙋 我要上榜")).text
    assert "暂无会员选择上榜" not in board
    assert "您已上榜，获得本计划的第一笔积分后即在此显示。" in board
    assert "🙈 不再上榜" in bot.labels(20)


async def test_an_officer_who_switches_language_gets_commands_in_it(bot: Harness) -> None:
    t = await bot.tree()
    officer = await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/profile")
    await bot.press(10, "English")
    scope = {"type": "chat", "chat_id": officer.chat_id}
    commands = {c["command"]: c["description"] for c in bot.core.commands(scope)}
    assert commands.get("officer") == "Officer menu"
    assert commands.get("menu") == "Main menu"
