"""Every admin action on the unit tree and on roles writes its audit row."""

from __future__ import annotations

from storage import units
from tests.audit_steps import audited
from tests.harness import Harness

ADMIN = 1


async def test_unit_create_rename_and_move_are_audited(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    await bot.send(ADMIN, "/officer")
    await bot.press_data(ADMIN, f"ua:add:{t['branch1']}")
    await audited(bot, "unit_create", bot.send(ADMIN, "质检小组"))
    await bot.press_data(ADMIN, f"ua:ren:{t['group1']}")
    await audited(bot, "unit_rename", bot.send(ADMIN, "总装小组"))
    await audited(bot, "unit_move", bot.press_data(ADMIN, f"ua:to:{t['group1']}:{t['branch2']}"))
    moved = await units.get(bot.db, t["group1"])
    assert moved is not None and moved.name == "总装小组" and moved.parent_id == t["branch2"]


async def test_granting_and_revoking_a_role_are_audited(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    worker = await bot.member(5, "赵六", t["branch1"])
    await bot.send(ADMIN, "/officer")
    await audited(bot, "role_grant", bot.press_data(ADMIN, f"ra:go:{worker.id}:{t['branch1']}"))
    await audited(bot, "role_revoke", bot.press_data(ADMIN, f"ra:rv:{worker.id}:{t['branch1']}"))


async def test_a_move_into_its_own_subtree_is_refused_and_not_audited(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    await bot.send(ADMIN, "/officer")
    before = await bot.db.fetchval("SELECT COUNT(*) FROM audit_log")
    assert "过期" in await bot.press_data(ADMIN, f"ua:to:{t['branch1']}:{t['group1']}")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM audit_log") == before
