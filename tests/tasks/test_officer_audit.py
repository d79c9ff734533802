"""Every officer action on a task (exports included) writes exactly its audit row.

The scorecard exports are checked in test_scorecard.py (scorecard_export).
"""

from __future__ import annotations

from tests.audit_steps import audited
from tests.harness import Harness
from tests.tasks.helpers import BRANCH1, BRANCH2, CREATOR, create_task, deliver, union


async def _ids(bot: Harness) -> tuple[int, dict[int, int]]:
    """The task's id and its units' assignment ids, by unit id."""
    task_id = int(await bot.db.fetchval("SELECT id FROM tasks ORDER BY id DESC LIMIT 1"))
    rows = await bot.db.fetchall("SELECT unit_id, id FROM task_units WHERE task_id = ?", (task_id,))
    return task_id, {int(r[0]): int(r[1]) for r in rows}


async def test_each_task_action_writes_its_audit_row(bot: Harness) -> None:
    t = await union(bot)
    before = await bot.db.fetchval("SELECT COUNT(*) FROM audit_log WHERE action = 'task_create'")
    await create_task(bot)
    assert (
        await bot.db.fetchval("SELECT COUNT(*) FROM audit_log WHERE action = 'task_create'")
        == before + 1
    )
    task_id, parts = await _ids(bot)
    branch1, branch2 = parts[t["branch1"]], parts[t["branch2"]]
    # The unit's side: receive, write, submit (each is the unit officer's act).
    await audited(bot, "task_receive", bot.press_data(BRANCH1, f"tk:rc:{branch1}"))
    await bot.press_data(BRANCH1, f"tk:wr:{branch1}")
    await bot.send(BRANCH1, "已完成。\n参加人数：20")
    await audited(bot, "task_report_submit", bot.press_data(BRANCH1, f"tk:sb:{branch1}"))
    await bot.press_data(BRANCH2, f"tk:wr:{branch2}")
    await bot.send(BRANCH2, "草稿")
    await audited(bot, "task_report_clear", bot.press_data(BRANCH2, f"tk:cl:{branch2}"))
    await deliver(bot)
    # The creator's side: accept, remind, export, close.
    await bot.send(CREATOR, "/officer")
    await audited(bot, "task_accept", bot.press_data(CREATOR, f"tk:ok:{branch1}"))
    await audited(bot, "task_remind", bot.press_data(CREATOR, f"tk:rm:{branch2}"))
    await audited(bot, "task_export", bot.press_data(CREATOR, f"tk:x:{task_id}"))
    await audited(bot, "task_export", bot.press_data(CREATOR, f"tk:z:{task_id}"))
    await audited(bot, "task_close", bot.press_data(CREATOR, f"tk:end:{task_id}"))


async def test_a_refused_action_writes_no_audit_row(bot: Harness) -> None:
    t = await union(bot)
    await create_task(bot)
    _, parts = await _ids(bot)
    count = "SELECT COUNT(*) FROM audit_log"
    before = await bot.db.fetchval(count)
    # Not their unit: one unit's officer cannot receive another unit's part.
    await bot.press_data(BRANCH1, f"tk:rc:{parts[t['branch2']]}")
    # Nothing reported yet: there is nothing to accept.
    await bot.send(CREATOR, "/officer")
    await bot.press_data(CREATOR, f"tk:ok:{parts[t['branch1']]}")
    assert await bot.db.fetchval(count) == before
