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


async def test_a_paused_announcement_is_not_re_edited_on_every_report(bot: Harness) -> None:
    from tests.announcements.helpers import compose, engine, people, report_of

    await people(bot)
    await compose(bot, "暂停后的进度")
    delivery = engine(bot)
    await delivery.stop(close=False)  # hold the dispatcher: the officer pauses first
    await bot.press(10, "📤 立即发送")
    await bot.press(10, "⏸ 暂停")
    await delivery.settle()
    report = report_of(bot)
    assert "已暂停" in report.text
    edits, broadcast_id = report.edit_count, await _only_broadcast(bot)
    for _tick in range(3):  # the reports a paused announcement gets while it waits
        await delivery.pause(broadcast_id)
        await delivery.settle()
    assert report_of(bot).edit_count == edits
    assert refused(bot) == []


async def _only_broadcast(bot: Harness) -> int:
    from storage import announcements

    items = await announcements.listing(bot.db, officer_id=None, states=("paused",))
    assert len(items) == 1
    return items[0].broadcast_id
