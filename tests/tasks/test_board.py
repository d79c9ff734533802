"""The progress board, the late list with "remind now", exports (audited) and repeating tasks."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from storage import audit
from tests.harness import Harness
from tests.tasks.helpers import (
    BRANCH1,
    BRANCH2,
    CREATOR,
    GROUP1,
    create_task,
    deliver,
    later,
    report,
    run_sweep,
    start_task,
    union,
)


async def _board(bot: Harness) -> str:
    await bot.send(CREATOR, "/officer")
    await bot.press(CREATOR, "📌 督办任务")
    return (await bot.press_labelled(CREATOR, "📊 三月安全生产检查")).text


async def test_board_counts_late_list_and_remind_now(bot: Harness) -> None:
    await union(bot)
    await create_task(bot)
    await report(bot, BRANCH2)
    await bot.press(BRANCH1, "📂 查看任务")
    await bot.press(BRANCH1, "✅ 已接收")
    board = await _board(bot)
    assert "⚪ 未接收 2 · 🔵 已接收 1 · 🟡 已上报 1 · 🟢 已通过 0" in board
    assert "🔴 逾期 0" in board
    bot.clock.set(later(days=8, hours=10))  # past the due time
    board = await _board(bot)
    assert "🟡 已上报 1" in board and "🔴 逾期 3" in board
    assert "🔴 第一分工会 · 逾期" in board
    late = await bot.press(CREATOR, "⏰ 逾期单位（3）")
    assert "逾期单位" in late.text
    await bot.press(CREATOR, "⏰ 装配小组")
    await bot.press(CREATOR, "⏰ 立即提醒")
    await deliver(bot)
    assert "has not reported yet" in bot.screen(GROUP1).text
    # 仓储小组 has no officer: "remind now" goes to the level above instead.
    await _board(bot)
    await bot.press_labelled(CREATOR, "⏰ 逾期单位")
    await bot.press(CREATOR, "⏰ 仓储小组")
    await bot.press(CREATOR, "⏰ 立即提醒")
    await deliver(bot)
    assert "仓储小组尚未上报" in bot.screen(BRANCH2).text
    reminders = [e for e in await audit.recent(bot.db) if e.action == "task_remind"]
    assert reminders and reminders[0].actor_id is not None


async def test_exports_hold_every_report_and_are_audited(bot: Harness) -> None:
    await union(bot)
    await create_task(bot)
    await bot.press(BRANCH1, "📂 查看任务")
    await bot.press(BRANCH1, "📝 填写报告")
    await bot.send(BRANCH1, "组织检查两次。\n参加人数：35")
    await bot.photo(BRANCH1)
    await bot.upload(BRANCH1, "检查记录.pdf", b"%PDF-1.4 record")
    await bot.press(BRANCH1, "📤 上报")
    await _board(bot)
    await bot.press(CREATOR, "📥 导出 Excel")
    book = openpyxl.load_workbook(io.BytesIO(bot.core.documents_for(CREATOR)[-1].content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("单位", "状态") and "参加人数" in rows[0]
    by_unit = {r[0]: r for r in rows[1:]}
    branch = by_unit["第一分工会"]
    assert branch[1] == "已上报" and branch[rows[0].index("参加人数")] == 35
    assert "组织检查两次" in str(branch[5])
    assert "第一分工会-1.jpg" in str(branch[rows[0].index("照片和文件")])
    assert by_unit["仓储小组"][1] == "未接收"
    await bot.press(CREATOR, "🖼 照片（压缩包）")
    archive = zipfile.ZipFile(io.BytesIO(bot.core.documents_for(CREATOR)[-1].content))
    assert sorted(archive.namelist()) == ["第一分工会-1.jpg", "第一分工会-2-检查记录.pdf"]
    exports = [e.details["what"] for e in await audit.recent(bot.db) if e.action == "task_export"]
    assert sorted(exports) == ["xlsx", "zip"]


def _new_tasks(bot: Harness) -> list[str]:
    return [t for t in bot.texts(BRANCH1) if "您单位有新的督办任务" in t]


async def test_a_repeating_task_comes_back_with_the_next_due_date(bot: Harness) -> None:
    await union(bot)
    await start_task(
        bot, "月度职工思想动态报告", "每月 10 日前上报本单位职工思想动态。", "2026-03-10 18:00"
    )
    await bot.press_labelled(CREATOR, "🔁 重复")
    out = await bot.send(CREATOR, "0 18 10 * *")
    assert "🔁 重复：0 18 10 * *" in str(out[-1].buttons)
    await bot.press(CREATOR, "✅ 发布")
    await deliver(bot)
    await run_sweep(bot, later(days=8))  # before the due time: reminders, no new task
    assert len(_new_tasks(bot)) == 1
    await run_sweep(bot, later(days=8, hours=10))
    assert "2026年4月10日 18:00" in _new_tasks(bot)[-1]
    await run_sweep(bot, later(days=9))
    assert len(_new_tasks(bot)) == 2
    actions = [e.action for e in await audit.recent(bot.db)]
    assert actions.count("task_repeat") == 1
    # Ending the April task ends the series: May brings no new one, reports are refused.
    await bot.send(CREATOR, "/officer")
    await bot.press(CREATOR, "📌 督办任务")
    await bot.press_labelled(CREATOR, "2026年4月10日")
    board = await bot.press(CREATOR, "⏹ 结束任务")
    assert "⏹ 已结束" in board.text and "⏹ 结束任务" not in str(board.buttons)
    await run_sweep(bot, later(days=70))
    assert len(_new_tasks(bot)) == 2
    april = [m for m in bot.messages(BRANCH1) if "您单位有新的督办任务" in m.text][-1]
    await bot.press(BRANCH1, "📂 查看任务", april.message_id)
    screen = next(m for m in bot.messages(BRANCH1) if m.message_id == april.message_id)
    assert "⏹ 已结束" in screen.text
    assert [b["text"] for b in screen.buttons] == ["⬅ 本单位任务"]


async def test_officers_above_the_creating_unit_see_its_board_others_do_not(bot: Harness) -> None:
    await union(bot)
    done = await create_task(bot, title="班组安全会", officer=BRANCH1)
    assert "任务已下发至 1 个单位" in done  # branch 1's only unit below: 装配小组
    await bot.send(CREATOR, "/officer")
    await bot.press(CREATOR, "📌 督办任务")
    board = (await bot.press_labelled(CREATOR, "📊 班组安全会")).text
    assert "⚪ 未接收 1" in board and "装配小组" in board
    await bot.send(BRANCH2, "/officer")
    home = (await bot.press(BRANCH2, "📌 督办任务")).text
    assert "班组安全会" not in home and "班组安全会" not in str(bot.labels(BRANCH2))
