"""/dashboard in chat: scoped to the officer's units, drill-down, refusals; the exports screen."""

from __future__ import annotations

from tests.harness import Harness
from tests.insight import seed
from tests.insight.seed import DAY


async def test_officer_sees_figures_of_their_units_only(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    for n in range(3):
        await bot.member(20 + n, f"一分会员{n}", t["group1"])
    for n in range(5):
        await bot.member(30 + n, f"二分会员{n}", t["branch2"])
    now = bot.clock.time()
    await seed.suggestion(bot.db, t["group1"], created=now - 9 * DAY, due=now - DAY)
    await seed.suggestion(bot.db, t["branch2"], created=now - 9 * DAY, due=now - DAY)

    out = await bot.send(10, "/dashboard")
    text = out[-1].text
    assert "工作看板" in text and "第一分工会" in text
    assert "已注册：4 ▲4 · 已审核：4 ▲4" in text  # the officer and three members
    assert "待答复建议：1 ▲1 · 已超期：1 ▲1" in text
    assert "首次答复用时中位数（天）：—" in text
    await bot.press(10, "🔎 选择单位")
    assert "📂 第二分工会" not in bot.labels(10)
    await bot.press_labelled(10, "公司工会")
    await bot.press_labelled(10, "第一分工会")
    await bot.press(10, "装配小组")
    assert "已注册：3" in bot.screen(10).text and "装配小组" in bot.screen(10).text
    assert "没有权限" in await bot.press_data(10, f"dh:v:{t['branch2']}")
    assert "没有权限" in await bot.press_data(10, f"dh:uc:{t['company']}")
    assert "过期" in await bot.press_data(10, "dh:v:999999")


async def test_members_cannot_open_the_dashboard(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(20, "会员甲", t["group1"])
    out = await bot.send(20, "/dashboard")
    assert "没有权限" in out[-1].text
    await bot.send(20, "/menu")
    assert "没有权限" in await bot.press_data(20, "dh:v:0")


async def test_exports_screen_links_the_features_own_exports(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(1, "主席", t["company"], role="admin")
    await bot.send(1, "/officer")
    await bot.press(1, "📤 数据导出")
    labels = bot.labels(1)
    assert labels[0] == "👥 会员名册（Excel）"
    assert "🧾 操作日志（Excel）" in labels and "💡 建议（匿名建议不含提交人）" in labels
    assert "📅 活动出席情况（选择活动）" in labels
    await bot.press(1, "🧾 操作日志（Excel）")
    assert bot.core.documents_for(1)[-1].file_name == "audit-log.xlsx"
