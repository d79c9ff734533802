"""Every officer action on announcements writes its audit row (the export included)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from storage import audit, members
from tests.announcements.helpers import (
    compose,
    engine,
    people,
    report_of,
    send_acknowledged,
)
from tests.harness import Harness

Drive = Callable[[Harness], Awaitable[None]]


async def _create(h: Harness) -> None:
    await compose(h, "审计：新建")
    await h.press(10, "📤 立即发送")


async def _held(h: Harness) -> None:
    """Queue an announcement while the engine is held, so it can be paused and resumed."""
    await engine(h).stop(close=False)
    await compose(h, "审计：暂停")
    await h.press(10, "📤 立即发送")


async def _pause(h: Harness) -> None:
    await _held(h)
    await h.press(10, "⏸ 暂停")


async def _resume(h: Harness) -> None:
    await _pause(h)
    await h.press(10, "▶ 恢复")


async def _cancel(h: Harness) -> None:
    await _pause(h)
    await h.press(10, "✖ 取消发送")
    await h.press(10, "✖ 确定取消")


async def _edit(h: Harness) -> None:
    await compose(h, "审计：定时")
    await h.press(10, "⏰ 时间")
    await h.send(10, "2026-03-05 09:00")
    await h.press(10, "🗓 定时发送")
    await h.press(10, "✏️ 修改")
    await h.press(10, "☐ 阅读确认：关")
    await h.press(10, "🗓 定时发送")


async def _export(h: Harness) -> None:
    await send_acknowledged(h, "审计：导出")
    await h.press(10, "📥 未确认名单（Excel）", message_id=report_of(h).message_id)


ACTIONS: dict[str, Drive] = {
    "announce_create": _create,
    "announce_pause": _pause,
    "announce_resume": _resume,
    "announce_cancel": _cancel,
    "announce_edit": _edit,
    "announce_export": _export,
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_each_officer_action_is_audited(bot: Harness, action: str) -> None:
    await people(bot)
    await ACTIONS[action](bot)
    officer = await members.by_telegram_id(bot.db, 10)
    assert officer is not None
    rows = [e for e in await audit.recent(bot.db, limit=50) if e.action == action]
    assert len(rows) == 1, f"{action}: {[e.action for e in await audit.recent(bot.db)]}"
    assert rows[0].actor_id == officer.id and rows[0].target_type == "broadcast"
