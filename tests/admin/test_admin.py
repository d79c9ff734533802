"""Admins build the unit tree and grant roles in chat; officers are scoped; all audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import audit, members, roles, units
from tests.harness import Harness
from tests.members.helpers import register
from tests.started import started


@pytest.fixture
async def admin_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """A started bot whose admin is Telegram user 1."""
    async with started(tmp_path, admin_ids=(1,)) as harness:
        yield harness


async def _grant_branch1_officer_to_5(bot: Harness) -> None:
    """Admin 1 grants user 5 (赵六) the officer role for 第一分工会 through the roles menu."""
    await bot.send(1, "/officer")
    await bot.press(1, "🔑 角色管理")
    await bot.press(1, "➕ 授予角色")
    await bot.press_labelled(1, "公司工会")
    await bot.press(1, "📂 第一分工会")
    await bot.press(1, "✔ 选择第一分工会")
    await bot.press(1, "赵六")
    await bot.press(1, "公司工会 / 第一分工会干部")


async def test_admin_builds_a_three_level_tree_in_chat(admin_bot: Harness) -> None:
    bot = admin_bot
    bot.user(1, "主席")
    await bot.send(1, "/officer")
    await bot.press(1, "🏢 单位管理")
    assert "还没有单位" in bot.screen(1).text
    await bot.press(1, "➕ 添加顶级单位")
    await bot.send(1, "公司工会")
    await bot.press(1, "➕ 添加下级单位")
    await bot.send(1, "第一分工会")
    await bot.press(1, "➕ 添加下级单位")
    await bot.send(1, "装配<小组>")
    assert "公司工会 / 第一分工会 / 装配&lt;小组&gt;" in (bot.screen(1).html or "")
    tree = await units.all_units(bot.db)
    by_name = {u.name: u for u in tree}
    assert by_name["装配<小组>"].parent_id == by_name["第一分工会"].id
    assert by_name["第一分工会"].parent_id == by_name["公司工会"].id
    # Rename and move: the group moves to the top level, then back under the company.
    await bot.press(1, "✏️ 重命名")
    await bot.send(1, "装配小组")
    await bot.press(1, "↕ 移动")
    assert not any("装配小组" in label for label in bot.labels(1))  # not under itself
    await bot.press(1, "⬆ 顶级")
    moved = await units.get(bot.db, by_name["装配<小组>"].id)
    assert moved is not None and moved.name == "装配小组" and moved.parent_id is None
    actions = [e.action for e in await audit.recent(bot.db)]
    assert actions.count("unit_create") == 3 and "unit_rename" in actions
    assert "unit_move" in actions


async def test_admin_grants_and_revokes_officer_role(admin_bot: Harness) -> None:
    bot = admin_bot
    t = await bot.tree()
    await bot.member(1, "主席", t["company"])
    worker = await bot.member(5, "赵六", t["branch1"])
    await _grant_branch1_officer_to_5(bot)
    assert await roles.officer_units(bot.db, worker.id) == [t["branch1"]]
    assert "您现在是公司工会 / 第一分工会的干部" in bot.screen(5).text
    # The new officer now has the officer menu, scoped to their branch.
    await bot.send(5, "/officer")
    assert "📝 注册审核" in bot.labels(5) and "🏢 单位管理" not in bot.labels(5)
    answer = await bot.press_data(5, f"ua:add:{t['company']}")
    assert "没有权限" in answer
    # Revoke from the roles screen.
    await bot.send(1, "/officer")
    await bot.press(1, "🔑 角色管理")
    await bot.press_labelled(1, "✖ 赵六")
    assert await roles.officer_units(bot.db, worker.id) == []
    actions = [e.action for e in await audit.recent(bot.db)]
    assert "role_grant" in actions and "role_revoke" in actions


async def test_officer_cannot_decide_requests_outside_their_scope(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.member(11, "二分干部", t["branch2"], role="officer")
    await register(bot, 20, "钱七", ("公司工会", "📂 第二分工会", "仓储小组"))
    # Only the second branch's officer was notified; the first forges the approve button.
    assert not any("钱七" in t for t in bot.texts(10))
    request = await bot.db.fetchval("SELECT id FROM join_requests WHERE status = 'pending'")
    await bot.send(10, "/menu")
    answer = await bot.press_data(10, f"jr:ok:{request}")
    assert "没有权限" in answer
    m = await members.by_telegram_id(bot.db, 20)
    assert m is not None and m.status == "pending"
    await bot.press(11, "❌ 拒绝")
    m = await members.by_telegram_id(bot.db, 20)
    assert m is not None and m.status == "rejected"
    assert "未获通过" in bot.screen(20).text


async def test_officer_creates_an_invite_link_in_scope(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/officer")
    await bot.press(10, "🔗 邀请链接")
    assert "📂 第二分工会" not in bot.labels(10)
    await bot.press_labelled(10, "公司工会")
    await bot.press_labelled(10, "第一分工会")
    await bot.press(10, "✔ 选择第一分工会")
    await bot.press(10, "7 天，50 人")
    link = bot.screen(10).text
    assert "https://t.me/union_test_bot?start=j" in link and "2026年3月9日" in link
    answer = await bot.press_data(10, f"iv:mk:{t['branch2']}:7:50")
    assert "没有权限" in answer


async def test_profile_language_switch_and_unit_change(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    me = await bot.member(20, "孙八", t["group2"])
    await bot.send(20, "/profile")
    assert "我的资料" in bot.screen(20).text
    await bot.press(20, "English")
    assert "Language changed" in bot.screen(20).text
    await bot.send(20, "/menu")
    assert "Main menu" in bot.screen(20).text
    await bot.press(20, "👤 My profile")
    await bot.press(20, "中文")
    assert "语言已更改" in bot.screen(20).text
    await bot.press(20, "🔁 调换单位")
    await bot.press_labelled(20, "公司工会")
    await bot.press_labelled(20, "第一分工会")
    await bot.press(20, "装配小组")
    assert "调换申请已发送" in bot.screen(20).text
    await bot.press(10, "✅ 同意")
    moved = await members.by_id(bot.db, me.id)
    assert moved is not None and moved.unit_id == t["group1"]


async def test_cancel_says_what_was_kept_and_help_fits_the_role(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(20, "周九", t["group1"])
    await bot.send(20, "/profile")
    await bot.press(20, "✏️ 修改姓名")
    out = await bot.send(20, "/cancel")
    assert "已退出" in out[0].text and "资料未作更改" in out[0].text
    out = await bot.send(20, "/cancel")
    assert "没有需要退出" in out[0].text
    out = await bot.send(20, "/help")
    assert "帮助" in out[0].text and "工会干部" not in out[0].text
    out = await bot.send(20, "/nonsense")
    assert "无法识别该命令" in out[0].text
    out = await bot.send(20, "随便说点什么")
    assert "没有看懂" in out[0].text


async def test_command_lists_per_language_and_for_officers(admin_bot: Harness) -> None:
    bot = admin_bot
    scope = {"type": "all_private_chats"}
    zh = {c["command"]: c["description"] for c in bot.core.commands(scope, "zh")}
    en = {c["command"]: c["description"] for c in bot.core.commands(scope, "en")}
    assert zh["menu"] == "主菜单" and en["menu"] == "Main menu"
    assert "officer" not in zh
    t = await bot.tree()
    await bot.member(1, "主席", t["company"])
    await bot.member(5, "赵六", t["branch1"])
    await _grant_branch1_officer_to_5(bot)
    own = {c["command"] for c in bot.core.commands({"type": "chat", "chat_id": 5}, "")}
    assert "officer" in own and "menu" in own
