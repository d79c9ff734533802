"""Item 3: forged unit ids in the invite flow's unit picker are stale buttons, not a crash."""

from __future__ import annotations

import pytest

from tests.harness import Harness
from tests.screens.conftest import refused

STALE = "此按钮已过期，请使用最新的消息。"


@pytest.mark.parametrize("unit", ["999999", "-5"])
async def test_browsing_a_unit_that_does_not_exist_is_a_stale_button(
    bot: Harness, unit: str, caplog: pytest.LogCaptureFixture
) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/officer")
    before = bot.screen(10).text
    assert await bot.press_data(10, f"iv:ub:{unit}") == STALE
    assert bot.screen(10).text == before
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert refused(bot) == []


async def test_browsing_outside_the_officers_scope_is_refused(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/officer")
    assert "过期" in await bot.press_data(10, f"iv:ub:{t['branch2']}")
    assert "仓储小组" not in " ".join(bot.labels(10))
