"""Members: bad presses change nothing, mute, leaderboard opt-in, documents, languages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import study, units
from storage.study import StudyLesson
from tests.harness import Harness
from tests.study.helpers import at, pushes, start_example


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await Harness(tmp_path, admin_ids=(1,), anonymity_threshold=3).start()
    t = await harness.tree()
    await harness.member(1, "主席", t["company"], role="admin")
    await harness.member(20, "张三", t["group1"])
    await harness.member(21, "李四", t["group1"])
    await harness.member(22, "王五", t["group1"])
    await harness.member(23, "赵六", t["group2"])
    await start_example(harness, 1)
    try:
        yield harness
    finally:
        await harness.stop()


async def _lessons(bot: Harness) -> list[StudyLesson]:
    plan = (await study.all_plans(bot.db))[0]
    return await study.lessons(bot.db, plan.id)


async def test_studied_twice_and_unreleased_lessons_change_nothing(bot: Harness) -> None:
    await at(bot, 0)
    lessons = await _lessons(bot)
    await bot.press(20, "✅ 已学习", pushes(bot, 20)[-1])
    again = await bot.press_data(20, f"st:read:{lessons[0].id}")
    assert "已经为本课打过卡" in again
    early = await bot.press_data(20, f"st:read:{lessons[1].id}")
    assert "尚未发布" in early
    assert await study.read_ids(bot.db, 1 + 1, None) == {lessons[0].id}  # member id 2 is 张三
    assert await study.points_total(bot.db, 2) == 1


async def test_old_quiz_buttons_of_another_lesson_are_refused(bot: Harness) -> None:
    await at(bot, 0)
    lessons = await _lessons(bot)
    await bot.press(20, "✅ 已学习", pushes(bot, 20)[-1])
    await bot.press_labelled(20, "发展经济")  # wrong on purpose
    assert "回答错误" in bot.screen(20).text and "全心全意为人民服务" in bot.screen(20).text
    await bot.press(20, "下一题 ➡")
    await bot.press(20, "✅ 对")
    await at(bot, 1)
    await bot.press(20, "✅ 已学习", pushes(bot, 20)[-1])
    # Lesson 2's quiz is open; an old lesson-1 button and a forged question index do nothing.
    assert "过期" in await bot.press_data(20, f"st:qa:{lessons[0].id}:0:0")
    assert "过期" in await bot.press_data(20, f"st:qa:{lessons[1].id}:3:0")
    assert "过期" in await bot.press_data(20, f"st:qt:{lessons[1].id}:0:999")
    assert "过期" in await bot.press_data(20, f"st:qa:{lessons[1].id}:0:0")  # not a single choice
    # Submitting no choice at all asks again.
    assert "至少选择 1 项" in await bot.press_data(20, f"st:qs:{lessons[1].id}:0:0")
    assert await study.answers(bot.db, 2, lessons[1].id) == {}
    state = await study.quiz_state(bot.db, 2, lessons[0].id)
    assert state is not None and (state.correct, state.total) == (1, 2)
    assert await study.points_total(bot.db, 2) == 3  # two reads, one quiz with a mistake


async def test_quiz_needs_the_lesson_read_and_members_outside_see_nothing(bot: Harness) -> None:
    await at(bot, 0)
    lessons = await _lessons(bot)
    await bot.send(21, "/study")
    assert "过期" in await bot.press_data(21, f"st:qa:{lessons[0].id}:0:0")
    await bot.member(30, "外人", None)
    await bot.send(30, "/study")
    assert "目前没有您的学习计划" in bot.screen(30).text
    assert "过期" in await bot.press_data(30, f"st:les:{lessons[0].id}")


async def test_mute_from_the_plan_screen_and_study_anyway(bot: Harness) -> None:
    await at(bot, 0)
    await bot.send(21, "/study")
    await bot.press_labelled(21, "两学一做")
    await bot.press(21, "🔕 关闭推送")
    assert "🔔 恢复推送" in bot.labels(21)
    await at(bot, 1)
    assert len(pushes(bot, 21)) == 1 and len(pushes(bot, 22)) == 2
    # The muted member still reads lesson 2 from the menu.
    await bot.send(21, "/study")
    await bot.press_labelled(21, "两学一做")
    await bot.press_labelled(21, "2. 学党规")
    await bot.press(21, "✅ 已学习")
    assert "已打卡" in bot.core.messages_for(21)[-2].text
    await bot.press(21, "⬅ 返回课程")
    await bot.press(21, "⬅ 课程列表")
    await bot.press(21, "🔔 恢复推送")
    await at(bot, 2)
    assert len(pushes(bot, 21)) == 2


async def test_leaderboard_lists_units_and_only_members_who_opt_in(bot: Harness) -> None:
    await at(bot, 0)
    for user in (20, 21):
        await bot.press(user, "✅ 已学习", pushes(bot, user)[-1])
    await bot.send(20, "/study")
    await bot.press_labelled(20, "两学一做")
    await bot.press(20, "🏆 排行榜")
    board = bot.screen(20).text
    assert "装配小组：67% ⭐" in board  # 3 members, 2 studied; the own unit is starred
    assert "仓储小组" not in board  # one member: below the threshold
    assert "张三" not in board and "暂无会员选择上榜" in board
    await bot.press(20, "🙋 我要上榜")
    board = bot.screen(20).text
    assert "1. 张三：1 分" in board and "李四" not in board
    await bot.press(20, "🙈 不再上榜")
    assert "张三" not in bot.screen(20).text


async def test_english_members_get_english(bot: Harness) -> None:
    t = {u.name: u.id for u in await units.all_units(bot.db)}
    await bot.member(40, "Anna", t["装配小组"], language="en")
    await at(bot, 0)
    await bot.press(40, "✅ I have studied", pushes(bot, 40)[-1])
    assert "Question 1 of 2" in bot.screen(40).text
    await bot.send(40, "/study")
    assert "points" in bot.screen(40).text
