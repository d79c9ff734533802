"""Every officer action on events, driven as an officer would, writes its audit row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from storage import audit, members
from tests.audit_steps import audited
from tests.events.conftest import EventHarness
from tests.events.test_flow import _create_event
from tests.events.test_officer import _manage, _setup

OFFICER = 1


async def _publish(bot: EventHarness, units: dict[str, int]) -> None:
    await bot.member(OFFICER, "干部老王", units["branch1"], role="officer")
    await _create_event(bot, OFFICER)


async def _cancel(bot: EventHarness, units: dict[str, int]) -> None:
    await _manage(bot)
    await bot.press(OFFICER, "❌ 取消活动")
    await bot.press(OFFICER, "❌ 确定取消活动")


async def _reschedule(bot: EventHarness, units: dict[str, int]) -> None:
    await _manage(bot)
    await bot.press(OFFICER, "🕒 修改时间")
    await bot.send(OFFICER, "2026-03-12 09:00")
    await bot.send(OFFICER, "11:30")


async def _move(bot: EventHarness, units: dict[str, int]) -> None:
    await _manage(bot)
    await bot.press(OFFICER, "📍 修改地点")
    await bot.send(OFFICER, "五楼大礼堂")


async def _add(bot: EventHarness, units: dict[str, int]) -> None:
    await bot.member(15, "孙七", units["group1"])
    await _manage(bot)
    await bot.press(OFFICER, "👥 报名名单")
    await bot.press(OFFICER, "➕ 添加会员")
    await bot.send(OFFICER, "孙")
    await bot.press_labelled(OFFICER, "孙七")
    await bot.press(OFFICER, "➕ 仍然添加")


async def _remove(bot: EventHarness, units: dict[str, int]) -> None:
    await _manage(bot)
    await bot.press(OFFICER, "👥 报名名单")
    await bot.press(OFFICER, "➖ 移除会员")
    await bot.press_labelled(OFFICER, "✖ 张三")
    await bot.press(OFFICER, "✖ 确定移除")


async def _export(bot: EventHarness, units: dict[str, int]) -> None:
    await _manage(bot)
    await bot.press(OFFICER, "📥 导出 Excel")
    assert bot.core.documents_for(OFFICER), "no workbook was sent"


#: Audit action -> how an officer does it (after the standard set-up, except publishing).
ACTIONS: dict[str, Callable[[EventHarness, dict[str, int]], Awaitable[None]]] = {
    "event_create": _publish,
    "event_cancel": _cancel,
    "event_time": _reschedule,
    "event_place": _move,
    "event_add": _add,
    "event_remove": _remove,
    "event_export": _export,
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_each_officer_action_writes_one_audit_row(bot: EventHarness, action: str) -> None:
    units = (await _setup(bot))[0] if action != "event_create" else await bot.tree()
    await audited(bot, action, ACTIONS[action](bot, units))
    row = (await audit.recent(bot.db, limit=1))[0]
    officer = await members.by_telegram_id(bot.db, OFFICER)
    assert officer is not None and (row.actor_id, row.target_type) == (officer.id, "event")
