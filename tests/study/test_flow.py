"""End to end: an officer runs the example plan, members study over simulated days."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.services import BotContext
from handlers.study.common import release_due
from storage import audit, study
from tests.harness import Harness
from tests.study.helpers import MONDAY, at, engine, pushes, start_example, tick


async def _union(bot: Harness) -> dict[str, int]:
    t = await bot.tree()
    await bot.member(1, "主席", t["company"], role="admin")
    await bot.member(20, "张三", t["group1"])
    await bot.member(21, "李四", t["group1"])
    await bot.member(22, "王五", t["group2"])
    await bot.member(24, "Anna", t["group1"], language="en")
    return t


async def _study_today(bot: Harness, user: int, answers: list[str]) -> None:
    """Press "I have studied" on today's push, then answer the quiz that follows."""
    await bot.press(user, "✅ 已学习", pushes(bot, user)[-1])
    for label in answers:
        if label == "next":
            await bot.press(user, "下一题 ➡")
        else:
            await bot.press_labelled(user, label)


async def test_a_week_of_study_with_quizzes_points_and_streak(tmp_path: Path) -> None:
    bot = await Harness(tmp_path, admin_ids=(1,)).start()
    try:
        await _union(bot)
        await start_example(bot, 1)
        engine(bot)
        # Monday before 08:30: nothing yet.
        assert await at(bot, 0, 8, 29) == 0 and pushes(bot, 22) == []
        assert await at(bot, 0) == 1
        assert len(pushes(bot, 22)) == 1 and len(pushes(bot, 24)) == 1
        assert "New lesson" in (bot.core.messages_for(24)[-1].html or "")
        # Lesson 1: right, right. The quiz follows the check-in in its own message.
        await bot.press(20, "✅ 已学习", pushes(bot, 20)[-1])
        assert "已打卡，积分 +1" in bot.core.messages_for(20)[-2].text
        assert "第 1 题，共 2 题" in bot.screen(20).text
        await bot.press_labelled(20, "全心全意为人民服务")
        assert "回答正确" in bot.screen(20).text and "💡" in bot.screen(20).text
        await bot.press(20, "下一题 ➡")
        await bot.press(20, "✅ 对")
        assert "测验完成：答对 2/2 题，积分 +2" in bot.screen(20).text
        # Lee mutes the plan from the push; Lee still gets nothing more, but can study.
        await bot.press(21, "🔕 关闭本计划推送", pushes(bot, 21)[-1])
        # Tuesday, lesson 2: a multiple-choice question answered with a mistake.
        await at(bot, 1)
        assert len(pushes(bot, 22)) == 2 and len(pushes(bot, 21)) == 1
        await bot.press(20, "✅ 已学习", pushes(bot, 20)[-1])
        await bot.press_labelled(20, "公私分明")
        await bot.press_labelled(20, "崇廉拒腐")
        await bot.press(20, "✔ 提交")
        text = bot.screen(20).text
        assert "回答错误" in text and "正确答案" in text and "尚俭戒奢" in text
        assert "积分 +1" in text
        # Wednesday, lesson 3 has no quiz; Thursday lesson 4; Friday lesson 5 and the streak.
        await at(bot, 2)
        await _study_today(bot, 20, [])
        await at(bot, 3)
        await _study_today(bot, 20, ["维护职工合法权益", "next", "❌ 错"])
        assert "答对 2/2 题" in bot.screen(20).text
        await at(bot, 4)
        await bot.press(20, "✅ 已学习", pushes(bot, 20)[-1])
        assert "连续学习 5 天，奖励积分 +3" in bot.screen(20).text
        # The weekend: no lessons are pushed (and the plan has none left anyway).
        for day in (5, 6):
            assert await at(bot, day) == 0
        assert len(pushes(bot, 22)) == 5 and len(pushes(bot, 21)) == 1
        # The member's record: 5 reads + 2 + 1 + 2 quiz points + 3 bonus.
        await bot.send(20, "/study")
        assert "积分 13 · 🔥 连续学习 5 天" in bot.screen(20).text
        await bot.press(20, "📈 我的学习记录")
        record = bot.screen(20).text
        assert "积分：13" in record and "连续学习：5 天" in record and "已学课程：5 课" in record
        assert "完成测验：3 次" in record
        # The officer sees completion by unit, the muted count, a chart and an Excel file.
        await bot.send(1, "/officer")
        await bot.press(1, "📚 学习计划")
        await bot.press_labelled(1, "两学一做")
        assert "关闭推送的会员：1 人" in bot.screen(1).text
        assert "共 5 课，已发布 5 课" in bot.screen(1).text
        await bot.press(1, "📊 按单位")
        units = bot.screen(1).text
        assert "装配小组（3 人）：学习完成率 33%" in units
        assert "仓储小组（1 人）：学习完成率 0%" in units
        await bot.press(1, "⬅ 返回")
        await bot.press(1, "📚 按课程")
        assert (
            "1. 学党章：党的性质和宗旨：学习 20% · 测验 1 人 · 平均得分 100%" in bot.screen(1).text
        )
        await bot.press(1, "⬅ 返回")
        await bot.press(1, "🖼 图表")
        assert any(m.kind == "photo" for m in bot.core.messages_for(1))
        await bot.press_labelled(1, "Excel")
        files = bot.core.documents_for(1)
        assert files and files[-1].content[:2] == b"PK"  # an .xlsx is a zip file
        actions = [e.action for e in await audit.recent(bot.db)]
        assert "study_upload" in actions and "study_go" in actions
    finally:
        await bot.stop()


async def test_restart_and_a_second_process_never_push_twice(tmp_path: Path) -> None:
    bot = await Harness(tmp_path, admin_ids=(1,)).start()
    other = None
    try:
        await _union(bot)
        await start_example(bot, 1)
        await at(bot, 0)
        assert len(pushes(bot, 22)) == 1
        await bot.restart()
        assert await tick(bot) == 0  # Monday's lesson is already out
        # Another process on the same database file runs the job at the same moment.
        other = await Harness(tmp_path, core=bot.core, admin_ids=(1,)).start()
        # This test is about the release job; the second process's dispatcher is
        # stopped so the sends come from one engine (cross-process sending is covered
        # by tests/delivery, on one shared clock).
        other_engine = other.app.bot_data.delivery
        assert other_engine is not None
        await other_engine.stop(close=False)
        tuesday = MONDAY + timedelta(days=1, hours=8, minutes=31)
        bot.clock.set(tuesday)
        other.clock.set(tuesday)
        results = await asyncio.gather(
            release_due(BotContext(bot.app)), release_due(BotContext(other.app))
        )
        assert sorted(results) == [0, 1]
        plan = (await study.all_plans(bot.db))[0]
        assert await study.push_count(bot.db, plan.id) == 2
        assert await tick(bot) == 0
        assert len(pushes(bot, 22)) == 2
    finally:
        if other is not None:
            await other.stop()
        await bot.stop()
