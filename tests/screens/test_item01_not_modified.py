"""Item 1: no edit that changes nothing; a refresh with nothing new says so."""

from __future__ import annotations

from tests.harness import Harness
from tests.screens.conftest import refused


async def test_refreshing_an_unchanged_dashboard_says_it_is_up_to_date(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/dashboard")
    await bot.press(10, "🔄 刷新")  # the first refresh turns the sent message into the screen
    before = bot.screen(10).edit_count
    note = await bot.press_data(10, "dh:v:0")
    assert note == "已是最新"
    assert bot.screen(10).edit_count == before
    assert refused(bot) == []


async def test_a_double_tap_edits_the_screen_once(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/dashboard")
    await bot.press(10, "🔄 刷新")
    await bot.press(10, "🔎 选择单位")
    # Both taps carry the dashboard as it was; only the first may edit it.
    await bot.at_once([(10, "⬅ 返回"), (10, "⬅ 返回")])
    assert "工作看板" in bot.screen(10).text
    assert refused(bot) == []
