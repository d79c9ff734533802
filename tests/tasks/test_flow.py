"""End to end: a task goes down the tree, units receive, report, get returned, resubmit."""

from __future__ import annotations

from storage import audit
from tests.harness import Harness
from tests.tasks.helpers import (
    ADMIN,
    BRANCH1,
    BRANCH2,
    CREATOR,
    GROUP1,
    accept_report,
    alert,
    create_task,
    deliver,
    start_task,
    union,
)


async def test_task_reaches_unit_officers_and_names_units_without_one(bot: Harness) -> None:
    await union(bot)
    done = await create_task(bot)
    assert "任务已下发至 4 个单位" in done
    assert "无人负责" in done and "仓储小组" in done
    for officer in (BRANCH1, BRANCH2):
        assert "您单位有新的督办任务" in bot.screen(officer).text
        assert "三月安全生产检查" in bot.screen(officer).text
    assert "New task for your unit" in bot.screen(GROUP1).text
    actions = [e.action for e in await audit.recent(bot.db)]
    assert "task_create" in actions
    # The audit browser names the action in the reader's language.
    await bot.send(ADMIN, "/officer")
    log = await bot.press(ADMIN, "🧾 操作日志")
    assert "向单位下发督办任务" in log.text


async def test_report_draft_survives_a_restart_then_return_and_resubmit(bot: Harness) -> None:
    await union(bot)
    await create_task(bot)
    screen = await bot.press(BRANCH1, "📂 查看任务")
    assert "请各单位组织安全检查" in screen.text and "未接收" in screen.text
    screen = await bot.press(BRANCH1, "✅ 已接收")
    assert "🔵 已接收" in screen.text
    await bot.press(BRANCH1, "📝 填写报告")
    out = await bot.send(BRANCH1, "本月组织安全检查两次。\n参加人数：35")
    assert "已保存" in out[-1].text and "参加人数：35" in out[-1].text
    await bot.photo(BRANCH1)
    await bot.restart()
    out = await bot.send(BRANCH1, "补充：整改隐患 3 处。")
    assert "文字 2 条，照片 1 张" in out[-1].text
    await bot.press(BRANCH1, "📤 上报")
    assert any("报告已上报" in t for t in bot.texts(BRANCH1))
    await deliver(bot)
    assert "第一分工会已上报" in bot.screen(CREATOR).text
    review = await bot.press(CREATOR, "🔍 审核报告")
    assert "参加人数：35" in review.text and "整改隐患 3 处" in review.text
    await bot.press(CREATOR, "↩ 退回")
    out = await bot.send(CREATOR, "请补充检查照片的说明。")
    assert "已退回第一分工会" in out[-1].text
    await deliver(bot)
    told = bot.screen(BRANCH1).text
    assert "报告已被退回" in told and "请补充检查照片的说明" in told
    screen = await bot.press(BRANCH1, "📂 查看任务")
    assert "🟠 已退回" in screen.text and "退回意见" in screen.text
    await bot.press(BRANCH1, "📝 填写报告")
    await bot.send(BRANCH1, "照片为三车间消防通道检查现场。")
    await bot.press(BRANCH1, "📤 上报")
    await accept_report(bot)
    await deliver(bot)
    assert "已审核通过" in bot.screen(BRANCH1).text
    actions = [e.action for e in await audit.recent(bot.db, limit=50)]
    for action in ("task_receive", "task_return", "task_accept"):
        assert action in actions
    assert actions.count("task_report_submit") == 2


async def test_unit_is_told_in_its_own_language_and_missing_numbers_refuse(bot: Harness) -> None:
    await union(bot)
    await create_task(bot, numbers="参加人数，覆盖班组数")
    await bot.press(GROUP1, "📂 Open the task")
    await bot.press(GROUP1, "📝 Write the report")
    await bot.send(GROUP1, "Two safety walks.\n参加人数: 12")
    refused = await alert(bot, GROUP1, "📤 Submit")
    assert refused == "The report still needs: 覆盖班组数"
    await bot.send(GROUP1, "覆盖班组数：4")
    await bot.press(GROUP1, "📤 Submit")
    await accept_report(bot)
    await deliver(bot)
    assert "was accepted" in bot.screen(GROUP1).text


async def test_attachment_html_check_and_refused_late_report(bot: Harness) -> None:
    await union(bot)
    await bot.send(CREATOR, "/officer")
    await bot.press(CREATOR, "📌 督办任务")
    await bot.press(CREATOR, "➕ 新建任务")
    await bot.send(CREATOR, "职工之家建设台账")
    out = await bot.send(CREATOR, "请按<b>附件模板填写")
    assert "Telegram" in out[-1].text  # the refusal names what Telegram would reject
    await bot.send(CREATOR, "请按<b>附件模板</b>填写台账。")
    await bot.upload(CREATOR, "台账模板.xlsx", b"template")
    await bot.send(CREATOR, "2026-03-03 18:00")
    await bot.press_labelled(CREATOR, "⏰ 逾期上报")
    screen = await bot.press(CREATOR, "✅ 发布")
    assert "任务已下发" in screen.text
    await deliver(bot)
    await bot.press(BRANCH1, "📂 查看任务")
    await bot.press(BRANCH1, "📎 附件")
    assert bot.core.documents_for(BRANCH1)[-1].file_name == "台账模板.xlsx"
    await bot.press(BRANCH1, "📝 填写报告")
    await bot.send(BRANCH1, "台账已建立。")
    bot.clock.advance(2 * 86400)  # past the due time
    refused = await alert(bot, BRANCH1, "📤 上报")
    assert refused == "已过截止时间，本任务不接受逾期上报。"
    assert not any("报告已上报" in t for t in bot.texts(BRANCH1))


async def test_one_level_down_and_chosen_units(bot: Harness) -> None:
    await union(bot)
    done = await create_task(bot, title="分工会任务", mode="1️⃣ 仅下一级")
    assert "任务已下发至 2 个单位" in done and "无人负责" not in done
    assert not any("分工会任务" in t for t in bot.texts(GROUP1))
    await start_task(bot, "小组任务", "仅限装配小组。", "2026-03-10 18:00")
    await bot.press_labelled(CREATOR, "☑ 指定单位")
    await bot.press(CREATOR, "📂 第一分工会")
    screen = await bot.press(CREATOR, "装配小组")
    assert "已选：公司工会 / 第一分工会 / 装配小组" in screen.text
    review = await bot.press(CREATOR, "✅ 确定所选单位")
    assert "下发单位（1 个）：装配小组" in review.text
    await bot.press(CREATOR, "✅ 发布")
    await deliver(bot)
    assert "小组任务" in bot.screen(GROUP1).text
    assert not any("小组任务" in t for t in bot.texts(BRANCH1))


async def test_titles_and_unit_names_with_markup_characters_show_as_typed(bot: Harness) -> None:
    t = await union(bot)
    await bot.db.execute("UPDATE units SET name = 'R&D <一线>' WHERE id = ?", (t["group1"],))
    title = "A&B <季度> 检查"
    done = await create_task(bot, title=title)
    assert "任务已下发" in done
    assert title in bot.screen(BRANCH1).text
    await bot.send(CREATOR, "/officer")
    await bot.press(CREATOR, "📌 督办任务")
    board = await bot.press_labelled(CREATOR, "📊 A&B")
    assert title in board.text and "R&D <一线> · 未接收" in board.text
    bot.clock.advance(30 * 86400)
    late = await bot.press_labelled(CREATOR, "⏰ 逾期单位")
    assert title in late.text
    await bot.press(CREATOR, "⬅ 返回")
    await bot.press(CREATOR, "📥 导出 Excel")
    assert title in bot.messages(CREATOR)[-1].text
    await bot.send(CREATOR, "/officer")
    ranking = await bot.press(CREATOR, "🏅 单位考核")
    assert "R&D <一线>" in ranking.text
