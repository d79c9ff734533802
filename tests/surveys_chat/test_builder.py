"""Officers who never write YAML build a simple survey in chat, then members answer it."""

from __future__ import annotations

from storage.surveys import queries as store
from tests.harness import Harness
from tests.surveys_chat.helpers import OFFICER, deliver, start_survey, union


async def test_build_publish_and_answer_in_chat(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "一部干部", t["生产一部"], role="officer")
    await bot.member(20, "张三", t["一班"])
    await bot.send(OFFICER, "/survey_admin")
    await bot.press(OFFICER, "🧱 创建简单问卷")
    await bot.send(OFFICER, "春游地点  意向调查")
    assert "🧱 春游地点 意向调查" in bot.screen(OFFICER).text
    await bot.press(OFFICER, "🔘 单选题")
    await bot.send(OFFICER, "您想去哪里？")
    await bot.send(OFFICER, "只有一个")
    assert "请发送 2–20 个不同的选项" in bot.screen(OFFICER).text
    await bot.send(OFFICER, "西湖\n\n黄山\n 西湖 \n千岛湖")
    await bot.press(OFFICER, "☑️ 多选题")
    await bot.send(OFFICER, "想参加哪些活动？")
    await bot.send(OFFICER, "登山\n划船\n烧烤")
    await bot.press(OFFICER, "✍️ 问答题")
    await bot.send(OFFICER, "其他想法")
    await bot.press(OFFICER, "↩ 删除最后一题")
    await bot.press(OFFICER, "✍️ 问答题")
    await bot.send(OFFICER, "还有什么建议？")
    menu = bot.screen(OFFICER).text
    assert "1. 您想去哪里？" in menu and "3. 还有什么建议？" in menu and "其他想法" not in menu
    await bot.press(OFFICER, "✅ 完成")
    await bot.press(OFFICER, "👤 实名")
    await bot.press(OFFICER, "7 天")
    screen = bot.screen(OFFICER).text
    assert "已保存为草稿" in screen and "公司工会 / 生产一部" in screen
    assert "2025年3月10日 24:00" in screen  # the end of the seventh day
    survey = (await store.all_surveys(bot.db))[0]
    assert survey.state == "draft" and not survey.anonymous
    await bot.press(OFFICER, "🚀 立即发布")
    await deliver(bot)
    await start_survey(bot, 20)
    assert "您想去哪里？" in bot.screen(20).text
    assert bot.labels(20)[:3] == ["西湖", "黄山", "千岛湖"]  # duplicates dropped
    await bot.press(20, "黄山")
    await bot.press(20, "☐ 划船")
    await bot.press(20, "✅ 完成（1）")
    await bot.press(20, "⏭ 跳过")
    await bot.press(20, "✅ 提交")
    stored = await bot.db.fetchval("SELECT answers FROM survey_responses")
    assert stored == '{"q1": "2", "q2": ["2"]}'


async def test_builder_refuses_members_and_stale_steps(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "一部干部", t["生产一部"], role="officer")
    await bot.member(20, "张三", t["一班"])
    await bot.send(20, "/menu")
    assert "没有权限" in await bot.press_data(20, "svb:new")
    await bot.send(OFFICER, "/survey_admin")
    assert "已过期" in await bot.press_data(OFFICER, "svb:close:7")
    await bot.press(OFFICER, "🧱 创建简单问卷")
    await bot.send(OFFICER, "标题")
    assert "已过期" in await bot.press_data(OFFICER, "svb:close:7")
    await bot.send(OFFICER, "/cancel")
    assert "问卷未保存" in "\n".join(bot.texts(OFFICER))
    assert await store.all_surveys(bot.db) == []
