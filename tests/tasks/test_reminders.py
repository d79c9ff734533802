"""Reminders, overdue notices and escalation, driven by moving the clock; never to members."""

from __future__ import annotations

from pathlib import Path

from bot.services import BotContext
from handlers.tasks import sweep
from tests.harness import Harness
from tests.tasks.helpers import (
    BRANCH1,
    BRANCH2,
    CREATOR,
    GROUP1,
    MEMBER,
    create_task,
    deliver,
    engine,
    later,
    report,
    run_sweep,
    union,
)

REMIND = "督办提醒"


def count(bot: Harness, user: int, fragment: str) -> int:
    """How many of the user's messages contain the fragment."""
    return sum(fragment in t for t in bot.texts(user))


async def test_reminders_before_due_then_overdue_then_escalation(bot: Harness) -> None:
    await union(bot)
    await create_task(bot)  # due 10 March 18:00
    await report(bot, BRANCH2)
    assert await run_sweep(bot, later(days=4)) == 0  # 6 March: nothing yet
    await run_sweep(bot, later(days=5, hours=9.5))  # 7 March 18:30: three days before
    assert count(bot, BRANCH1, REMIND) == 1 and count(bot, GROUP1, "Reminder") == 1
    assert count(bot, BRANCH2, REMIND) == 0  # reported already
    await run_sweep(bot, later(days=5, hours=10))  # again: nothing twice
    assert count(bot, BRANCH1, REMIND) == 1
    await run_sweep(bot, later(days=7, hours=9.5))  # one day before
    assert count(bot, BRANCH1, REMIND) == 2
    await run_sweep(bot, later(days=8, hours=9.5))  # overdue
    assert count(bot, BRANCH1, "任务已逾期") == 1 and count(bot, GROUP1, "Overdue") == 1
    assert count(bot, CREATOR, "督办任务逾期") == 0
    await run_sweep(bot, later(days=10, hours=10))  # past the 48-hour grace period
    # Each late unit's parent officers hear of it: group 1 -> branch 1, branch 1 -> company,
    # and group 2 (no officer of its own) -> branch 2.
    assert count(bot, BRANCH1, "装配小组尚未上报") == 1
    assert count(bot, CREATOR, "第一分工会尚未上报") == 1
    assert count(bot, BRANCH2, "仓储小组尚未上报") == 1
    assert count(bot, CREATOR, "仓储小组尚未上报") == 0
    await run_sweep(bot, later(days=11))
    assert count(bot, BRANCH1, "督办任务逾期") == 1
    assert bot.texts(MEMBER) == []


async def test_a_queued_reminder_is_not_sent_once_the_unit_reported(tmp_path: Path) -> None:
    bot = await Harness(tmp_path, task_reminder_days="2").start()
    try:
        await union(bot)
        await create_task(bot)
        # Only explicit drains send from here on, so the row waits while the unit reports.
        await engine(bot).stop(close=False)
        bot.clock.set(later(days=6, hours=9.5))  # 8 March 18:30: two days before
        assert await sweep(BotContext(bot.app)) == 4  # queued, not yet sent
        await report(bot, BRANCH1)
        await deliver(bot)
        assert count(bot, BRANCH1, REMIND) == 0
        assert count(bot, BRANCH2, REMIND) == 1
    finally:
        await bot.stop()
