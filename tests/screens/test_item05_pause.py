"""Item 5: ⏸ Pause stops new sends at once; only sends already in flight may finish.

Over real HTTP on the real clock, at the slow rates of the report (2 and 0.5 a
second), so that workers wait for send slots when the officer presses pause.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from storage import members, roles, units
from tests.e2e.conftest import Stack, running_stack

MEMBERS = range(100, 108)
LEASED = "SELECT COUNT(*) FROM outbox WHERE state = 'sending'"


async def _branch(stack: Stack) -> None:
    now = stack.app.bot_data.clock.time()  # type: ignore[union-attr]
    company = await units.create(stack.db, "公司工会", None, now)
    branch = await units.create(stack.db, "第一分工会", company.id, now)
    for uid in (10, *MEMBERS):
        await stack.client.add_user(uid, f"会员{uid}", language_code="zh-hans")
        m = await members.touch(stack.db, uid, uid, "zh_CN", now)
        await members.update_profile(stack.db, m.id, name=f"会员{uid}", unit_id=branch.id)
        await members.set_status(stack.db, m.id, "verified", now)
        if uid == 10:
            await roles.grant(stack.db, m.id, "officer", branch.id, None, now)


def _sent(stack: Stack) -> int:
    return sum(
        1
        for c in stack.core.calls
        if c.method == "sendMessage" and c.error_code is None and int(c.params["chat_id"]) >= 100
    )


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Poll the bot's state until check() holds (not waiting on time itself)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "the state never came"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("rate", [2.0, 0.5])
async def test_no_send_starts_after_the_pause_is_acknowledged(tmp_path: Path, rate: float) -> None:
    async with running_stack(tmp_path, delivery_rate=rate) as stack:
        await _branch(stack)
        officer = await stack.person(10, "干部")
        await officer.say("/announce", expect="通知公告")
        await officer.press("✏️ 新建通知")
        await officer.say("停水通知", expect="单位")
        await officer.press("➕ 添加单位")
        await officer.press("📂 公司工会")
        await officer.press("第一分工会")
        await officer.press("➡ 继续")
        await officer.press("📤 立即发送")

        async def first_sent() -> bool:
            return _sent(stack) >= 1

        await _until(first_sent)
        await officer.press("⏸ 暂停", expect="已暂停")
        started = sum(1 for c in stack.core.calls if c.method == "sendMessage")

        # Every row the engine had taken is handed back (or finished) ...
        async def none_leased() -> bool:
            return not await stack.db.fetchval(LEASED)

        await _until(none_leased)
        # ... and none was sent after the officer saw "paused".
        assert sum(1 for c in stack.core.calls if c.method == "sendMessage") == started
        assert _sent(stack) < len(MEMBERS)
