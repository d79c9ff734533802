"""Assert that one act of an officer writes exactly the audit rows it should."""

from __future__ import annotations

from collections.abc import Awaitable

from tests.harness import Harness


async def actions(bot: Harness) -> list[str]:
    """Every audit row's action, oldest first."""
    rows = await bot.db.fetchall("SELECT action FROM audit_log ORDER BY id")
    return [str(r[0]) for r in rows]


async def audited(bot: Harness, action: str, act: Awaitable[object]) -> None:
    """The act adds exactly one audit row, of this action."""
    before = await actions(bot)
    await act
    after = await actions(bot)
    assert after[len(before) :] == [action], after[len(before) :]
