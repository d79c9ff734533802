"""Every officer action on study plans writes its audit row (the export included)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from storage import audit, members
from tests.harness import Harness
from tests.study.helpers import EXAMPLE, at, start_example

Drive = Callable[[Harness], Awaitable[None]]
#: A plan that names a document, so the document step can be driven.
WITH_DOCUMENT = """
id: safety_audit
title: 安全审计
schedule: "30 8 * * 1-5"
lessons:
  - {title: 安全第一, text: 安全生产人人有责。, document: 手册.pdf}
"""


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await Harness(tmp_path, admin_ids=(1,)).start()
    t = await harness.tree()
    await harness.member(1, "主席", t["company"], role="admin")
    await harness.member(20, "张三", t["group1"])
    try:
        yield harness
    finally:
        await harness.stop()


async def _plan_screen(h: Harness) -> None:
    await h.send(1, "/officer")
    await h.press(1, "📚 学习计划")
    await h.press_labelled(1, "两学一做")


async def _upload_draft(h: Harness) -> None:
    await h.send(1, "/officer")
    await h.press(1, "📚 学习计划")
    await h.press(1, "⬆ 上传学习计划")
    await h.upload(1, "study_plan.yaml", EXAMPLE)


async def _discard(h: Harness) -> None:
    await _upload_draft(h)
    await h.press(1, "🗑 放弃草稿")


async def _document(h: Harness) -> None:
    await h.send(1, "/officer")
    await h.press(1, "📚 学习计划")
    await h.press(1, "⬆ 上传学习计划")
    await h.upload(1, "safety.yaml", WITH_DOCUMENT.encode())
    await h.upload(1, "手册.pdf", b"%PDF-1.4 manual")


async def _pause(h: Harness) -> None:
    await start_example(h, 1)
    await _plan_screen(h)
    await h.press(1, "⏸ 暂停")


async def _resume(h: Harness) -> None:
    await _pause(h)
    await h.press(1, "▶ 恢复")


async def _end(h: Harness) -> None:
    await start_example(h, 1)
    await _plan_screen(h)
    await h.press(1, "⏹ 结束")
    await h.press(1, "⏹ 确定结束")


async def _add(h: Harness) -> None:
    await start_example(h, 1)
    await _plan_screen(h)
    await h.press(1, "➕ 追加课程")
    extra = "plan: lxyz_study\nlessons:\n  - {title: 补充学习, text: 学习《工会章程》。}\n"
    await h.upload(1, "more.yaml", extra.encode())


async def _nudge(h: Harness) -> None:
    await start_example(h, 1)
    await at(h, 0)
    await at(h, 1)
    await _plan_screen(h)
    await h.press(1, "🔔 提醒未学完的会员")
    await h.press(1, "1 课以上")
    await h.press_labelled(1, "🔔 发送给")


async def _export(h: Harness) -> None:
    await start_example(h, 1)
    await at(h, 0)
    await _plan_screen(h)
    await h.press(1, "📥 导出 Excel")


ACTIONS: dict[str, Drive] = {
    "study_upload": _upload_draft,
    "study_del": _discard,
    "study_document": _document,
    "study_go": lambda h: start_example(h, 1),
    "study_pause": _pause,
    "study_resume": _resume,
    "study_endok": _end,
    "study_add_lessons": _add,
    "study_nudge": _nudge,
    "study_export": _export,
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_each_officer_action_is_audited(bot: Harness, action: str) -> None:
    await ACTIONS[action](bot)
    officer = await members.by_telegram_id(bot.db, 1)
    assert officer is not None
    rows = [e for e in await audit.recent(bot.db, limit=50) if e.action == action]
    assert len(rows) == 1, f"{action}: {[e.action for e in await audit.recent(bot.db)]}"
    assert rows[0].actor_id == officer.id and rows[0].target_type == "study_plan"
