"""Item 11: the leaderboard says who is listed, also with no points yet."""

from __future__ import annotations

from tests.harness import Harness
from tests.study.test_members import bot  # noqa: F401 - the example plan running for a group


async def test_listing_myself_with_no_points_shows_me_on_the_board(bot: Harness) -> None:  # noqa: F811
    await bot.send(20, "/study")
    await bot.press_labelled(20, "两学一做")
    await bot.press(20, "🏆 排行榜")
    assert "暂无会员选择上榜" in bot.screen(20).text
    board = (await bot.press(20, "🙋 我要上榜")).text
    assert "暂无会员选择上榜" not in board
    assert "您已上榜，获得本计划的第一笔积分后即在此显示。" in board
    assert "🙈 不再上榜" in bot.labels(20)
