"""Officers: bad files, scope, documents, pause/resume/end, added lessons and nudges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import study
from tests.harness import Harness
from tests.study.helpers import EXAMPLE, at, pushes, start_example

PLAN = """
id: safety_2026
title: 安全生产学习
audience: [第一分工会]
schedule: "30 8 * * 1-5"
lessons:
  - title: 安全第一
    text: <b>安全生产</b>人人有责。
    document: 安全手册.pdf
  - title: 应急处置
    text: 发生事故时先报告、再处置。
"""


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await Harness(tmp_path, admin_ids=(1,)).start()
    t = await harness.tree()
    await harness.member(1, "主席", t["company"], role="admin")
    await harness.member(10, "一分干部", t["branch1"], role="officer")
    await harness.member(20, "张三", t["group1"])
    await harness.member(21, "李四", t["group1"])
    await harness.member(22, "王五", t["group2"])
    try:
        yield harness
    finally:
        await harness.stop()


async def _open_plan(bot: Harness, user: int, title: str = "两学一做") -> None:
    await bot.send(user, "/officer")
    await bot.press(user, "📚 学习计划")
    await bot.press_labelled(user, title)


async def _open_upload(bot: Harness, user: int) -> None:
    await bot.send(user, "/officer")
    await bot.press(user, "📚 学习计划")
    await bot.press(user, "⬆ 上传学习计划")


async def test_a_broken_file_lists_every_problem_in_the_officers_language(bot: Harness) -> None:
    await _open_upload(bot, 10)
    broken = EXAMPLE.decode().replace("工作日 08:30", "0 9 30 2 *")
    broken = broken.replace("        correct: a\n", "", 1)
    out = await bot.upload(10, "plan.yaml", broken.encode())
    report = out[-1].text
    assert "文件中有 2 处问题" in report
    assert "schedule: 推送时间“0 9 30 2 *”永远不会到来" in report
    assert "lessons[1].quiz.q1.correct: 测验题必须给出正确答案" in report
    # The dialog stays open: a bad YAML, a non-YAML file, then the fixed file.
    out = await bot.upload(10, "plan.yaml", b"id: [oops")
    assert "YAML" in out[-1].text
    out = await bot.upload(10, "notes.docx", b"PK..")
    assert "不是 YAML 文件" in out[-1].text
    out = await bot.upload(10, "plan.yaml", EXAMPLE)
    assert "格式正确" in out[-1].text and "第一分工会" in out[-1].text
    assert await study.all_plans(bot.db)


async def test_officers_act_only_within_their_units(bot: Harness) -> None:
    await _open_upload(bot, 10)
    out = await bot.upload(10, "p.yaml", PLAN.replace("第一分工会", "第二分工会").encode())
    assert "audience[1]: “第二分工会”不在您管理的单位范围内" in out[-1].text
    await start_example(bot, 1)  # the admin's plan reaches the whole company
    plan = (await study.all_plans(bot.db))[0]
    await bot.send(10, "/officer")
    await bot.press(10, "📚 学习计划")
    assert not any("两学一做" in label for label in bot.labels(10))
    assert "没有权限" in await bot.press_data(10, f"sto:pause:{plan.id}")
    await bot.send(20, "/menu")
    assert "没有权限" in await bot.press_data(20, f"sto:p:{plan.id}")
    fresh = await study.get_plan(bot.db, plan.id)
    assert fresh is not None and fresh.state == "active"


async def test_documents_are_sent_after_the_plan_then_reach_members(bot: Harness) -> None:
    await _open_upload(bot, 10)
    bot.clock.set(bot.clock.now().replace(hour=0))  # Monday 08:00 in Shanghai
    out = await bot.upload(10, "safety.yaml", PLAN.encode())
    assert "还缺少：安全手册.pdf" in out[-1].text and "▶ 开始" not in bot.labels(10)
    out = await bot.upload(10, "other.pdf", b"%PDF-1.4 other")
    assert "不是计划所需的资料" in out[-1].text
    out = await bot.upload(10, "安全手册.pdf", b"%PDF-1.4 manual")
    assert "已收到 安全手册.pdf" in out[-1].text
    await bot.press(10, "▶ 开始")
    await at(bot, 0)
    assert len(pushes(bot, 20)) == 1 and pushes(bot, 22) == []  # group2 is not in branch 1
    await bot.press(20, "📎 学习资料", pushes(bot, 20)[-1])
    files = bot.core.documents_for(20)
    assert files and files[-1].content == b"%PDF-1.4 manual"


async def test_pause_shifts_the_lessons_and_end_stops_them(bot: Harness) -> None:
    await start_example(bot, 1)
    await at(bot, 0)
    plan = (await study.all_plans(bot.db))[0]
    await _open_plan(bot, 1)
    await bot.press(1, "⏸ 暂停")
    assert "已暂停" in bot.screen(1).text
    assert await at(bot, 1) == 0 and await at(bot, 2) == 0  # Tuesday and Wednesday
    await at(bot, 2, 10, 0)
    await _open_plan(bot, 1)
    await bot.press(1, "▶ 恢复")
    assert "下一课：2026年3月5日 08:30" in bot.screen(1).text
    await at(bot, 3)  # Thursday: lesson 2, not lesson 4
    released = await study.lessons(bot.db, plan.id, released_only=True)
    assert [x.position for x in released] == [1, 2]
    assert len(pushes(bot, 20)) == 2
    await _open_plan(bot, 1)
    await bot.press(1, "⏹ 结束")
    await bot.press(1, "⏹ 确定结束")
    assert "学习计划已结束" in bot.screen(1).text
    assert await at(bot, 4) == 0 and len(pushes(bot, 20)) == 2
    # Members keep what was released and can still study it.
    await bot.send(20, "/study")
    await bot.press_labelled(20, "两学一做")
    await bot.press_labelled(20, "2. 学党规")
    await bot.press(20, "✅ 已学习")
    assert len(await study.read_ids(bot.db, 3, plan.id)) == 1


async def test_lessons_added_to_a_running_plan_follow_the_schedule(bot: Harness) -> None:
    await start_example(bot, 1)
    for day in range(5):
        await at(bot, day)
    await at(bot, 5, 10, 0)  # Saturday: everything is out
    await _open_plan(bot, 1)
    await bot.press(1, "➕ 追加课程")
    extra = "plan: lxyz_study\nlessons:\n  - {title: 补充学习, text: 学习《工会章程》。}\n"
    out = await bot.upload(1, "more.yaml", extra.encode())
    assert "已追加 1 课" in out[-1].text and "下一课：2026年3月9日 08:30" in out[-1].text
    wrong = "plan: nothing_here\nlessons:\n  - {title: 补充, text: 正文}\n"
    await bot.press(1, "➕ 追加课程")
    out = await bot.upload(1, "more.yaml", wrong.encode())
    assert "该文件属于计划“nothing_here”" in out[-1].text
    assert await at(bot, 6) == 0  # Sunday: nothing
    assert await at(bot, 7) == 1  # Monday: the added lesson
    assert len(pushes(bot, 22)) == 6


async def test_nudge_reminds_only_members_behind_who_did_not_mute(bot: Harness) -> None:
    await start_example(bot, 1)
    await at(bot, 0)
    await at(bot, 1)
    await bot.press(20, "✅ 已学习", pushes(bot, 20)[-1])  # 张三: 1 behind
    await bot.press(21, "🔕 关闭本计划推送", pushes(bot, 21)[-1])  # 李四: 2 behind, muted
    await _open_plan(bot, 1)
    await bot.press(1, "🔔 提醒未学完的会员")
    await bot.press(1, "2 课以上")
    text = bot.screen(1).text
    # 主席, 一分干部, 李四 and 王五 studied nothing; 李四 muted the plan.
    assert "有 4 名会员有 2 课或以上未学，其中 1 人关闭了推送" in text
    await bot.press(1, "🔔 发送给 3 人")
    assert "已安排向 3 名会员发送提醒" in bot.screen(1).text
    await at(bot, 1, 9, 0)
    assert any("学习提醒" in m.text for m in bot.core.messages_for(22))
    assert not any("学习提醒" in m.text for m in bot.core.messages_for(21))
    assert not any("学习提醒" in m.text for m in bot.core.messages_for(20))


async def test_text_while_documents_are_awaited_says_what_is_missing(bot: Harness) -> None:
    await _open_upload(bot, 10)
    await bot.upload(10, "safety.yaml", PLAN.encode())
    out = await bot.send(10, "文件在哪里发？")
    assert "还缺少：安全手册.pdf" in out[-1].text
    out = await bot.send(10, "/cancel")
    assert "学习计划未再作更改" in out[0].text
    plan = await study.plan_by_code(bot.db, "safety_2026")
    assert plan is not None and plan.state == "draft"
