"""End to end: a task goes down the tree, units receive, report, get returned, resubmit."""

from __future__ import annotations

from pathlib import Path

from storage import audit
from tests.harness import Harness
from tests.tasks.helpers import BRANCH1, BRANCH2, CREATOR, GROUP1, create_task, deliver, union


async def test_task_reaches_unit_officers_and_names_units_without_one(tmp_path: Path) -> None:
    bot = await Harness(tmp_path).start()
    try:
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
    finally:
        await bot.stop()
