"""Every officer action on members writes its audit row: approvals, invites, roster in and out."""

from __future__ import annotations

from tests.audit_steps import audited
from tests.harness import Harness
from tests.members.helpers import register

ADMIN, OFFICER = 1, 10


async def _request(bot: Harness, user: int, name: str) -> int:
    """A newcomer registers into the first branch's group and waits for approval."""
    await register(bot, user, name)
    found = await bot.db.fetchval(
        "SELECT r.id FROM join_requests r JOIN members m ON m.id = r.member_id "
        "WHERE m.telegram_id = ? AND r.status = 'pending'",
        (user,),
    )
    assert found is not None
    return int(found)


async def test_approving_and_rejecting_a_request_are_audited(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(OFFICER, "一分干部", t["branch1"], role="officer")
    first, second = await _request(bot, 20, "张三"), await _request(bot, 21, "李四")
    await audited(bot, "join_approve", bot.press_data(OFFICER, f"jr:ok:{first}"))
    await audited(bot, "join_reject", bot.press_data(OFFICER, f"jr:no:{second}"))


async def test_an_invite_link_is_audited(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(OFFICER, "一分干部", t["branch1"], role="officer")
    await bot.send(OFFICER, "/officer")
    await audited(bot, "invite_create", bot.press_data(OFFICER, f"iv:mk:{t['group1']}:7:50"))
    assert "start=j" in bot.screen(OFFICER).text


async def test_roster_import_and_export_are_audited(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "📥 导入名册")
    roster = "姓名,工号,单位\n张三,E1001,装配小组\n".encode("utf-8-sig")
    await bot.upload(ADMIN, "名册.csv", roster)
    await audited(bot, "roster_import", bot.press(ADMIN, "✅ 导入"))
    await audited(bot, "roster_export", bot.press_data(ADMIN, "ro:x:0"))
    assert bot.messages(ADMIN)[-1].kind == "document"
