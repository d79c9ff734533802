"""Creating or renaming a unit survives a crash between storing it and showing it."""

from __future__ import annotations

from storage import units
from tests.crash import die_typing
from tests.harness import Harness

ADMIN = 1


async def test_a_unit_created_before_the_crash_is_shown_at_start_and_not_made_twice(
    bot: Harness,
) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    await bot.send(ADMIN, "/officer")
    await bot.press_data(ADMIN, f"ua:add:{t['branch1']}")
    await die_typing(bot, ADMIN, "质检小组")
    assert "质检小组" in bot.screen(ADMIN).text and "已保存" in bot.screen(ADMIN).text
    # Typing the name again (the admin did not see it saved) makes no second unit.
    await bot.send(ADMIN, "质检小组")
    named = [u for u in await units.all_units(bot.db) if u.name == "质检小组"]
    assert len(named) == 1


async def test_a_rename_typed_again_after_a_crash_shows_the_saved_unit(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    await bot.send(ADMIN, "/officer")
    await bot.press_data(ADMIN, f"ua:ren:{t['group1']}")
    await die_typing(bot, ADMIN, "总装小组", down_for=3600)
    await bot.send(ADMIN, "总装小组")
    assert "总装小组" in bot.screen(ADMIN).text and "已保存" in bot.screen(ADMIN).text
    unit = await units.get(bot.db, t["group1"])
    assert unit is not None and unit.name == "总装小组"
