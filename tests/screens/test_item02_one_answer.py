"""Item 2: every press is answered exactly once, and stale presses say so."""

from __future__ import annotations

import pytest

from storage import units
from tests.harness import Harness
from tests.screens.conftest import refused

STALE = "此按钮已过期，请使用最新的消息。"


@pytest.mark.parametrize("data", ["pf:lang:xx", "pf:ub:999999", "pf:uc:999999"])
async def test_forged_profile_presses_say_the_button_is_out_of_date(
    bot: Harness, data: str
) -> None:
    t = await bot.tree()
    await bot.member(20, "会员甲", t["group1"])
    await bot.send(20, "/profile")
    assert await bot.press_data(20, data) == STALE
    assert refused(bot) == []


async def test_moving_a_unit_under_its_own_child_is_refused_once(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(1, "主席", t["company"], role="admin")
    await bot.send(1, "/menu")
    assert await bot.press_data(1, f"ua:to:{t['branch1']}:{t['group1']}") == STALE
    assert refused(bot) == []
    group = await units.get(bot.db, t["group1"])
    assert group is not None and group.parent_id == t["branch1"]
