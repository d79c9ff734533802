"""Members and officers over real HTTP against the sandbox Bot API server."""

from __future__ import annotations

import pytest

from storage import members, units
from storage.members import invites
from tests.e2e.conftest import TOKEN, Stack


async def _tree(stack: Stack) -> dict[str, int]:
    now = stack.app.bot_data.clock.time()  # type: ignore[union-attr]
    company = await units.create(stack.db, "公司工会", None, now)
    b1 = await units.create(stack.db, "第一分工会", company.id, now)
    b2 = await units.create(stack.db, "第二分工会", company.id, now)
    return {"company": company.id, "branch1": b1.id, "branch2": b2.id}


async def test_member_joins_through_an_invite_link(stack: Stack) -> None:
    t = await _tree(stack)
    now = stack.app.bot_data.clock.time()  # type: ignore[union-attr]
    invite = await invites.create(stack.db, t["branch2"], None, now, days=7, max_uses=3)
    m = await stack.person(20, "张三")
    await m.say(f"/start {invite.code}", expect="请选择语言")
    await m.press("✓ 中文", expect="请发送您的姓名")
    await m.say("张三", expect="工号")
    await m.press("跳过", expect="隐私说明")
    await m.press("✅ 同意", expect="主菜单")
    stored = await members.by_telegram_id(stack.db, 20)
    assert stored is not None and stored.verified and stored.unit_id == t["branch2"]


async def test_request_to_join_approved_by_officer_then_language_switch(stack: Stack) -> None:
    t = await _tree(stack)
    admin = await stack.person(1, "主席")
    await admin.say("/start", expect="请选择语言")  # admin ids come from configuration
    officer_id = await stack.db.fetchval("SELECT id FROM members WHERE telegram_id = 1")
    await stack.db.execute(
        "UPDATE members SET status='verified', name='主席', unit_id=? WHERE id=?",
        (t["company"], officer_id),
    )
    await stack.db.execute("DELETE FROM dialogs")
    m = await stack.person(21, "李四")
    await m.say("/start", expect="请选择语言")
    await m.press("✓ 中文", expect="姓名")
    await m.say("李四", expect="单位")
    await m.press("📂 公司工会", expect="当前位置")
    await m.press("第一分工会", expect="工号")
    await m.say("E-21", expect="隐私说明")
    await m.press("✅ 同意", expect="申请已发送")
    await admin.expect("李四")
    await admin.press("✅ 同意", expect="您已同意")
    await m.expect("申请已通过")
    await m.say("/profile", expect="我的资料")
    await m.press("English", expect="Language changed")
    await m.say("/menu", expect="Main menu")
    await m.press("👤 My profile", expect="My profile")
    await m.press("中文", expect="语言已更改")
    stored = await members.by_telegram_id(stack.db, 21)
    assert stored is not None and stored.language == "zh_CN" and stored.unit_id == t["branch1"]


async def test_member_is_refused_officer_actions_and_forged_buttons(stack: Stack) -> None:
    t = await _tree(stack)
    m = await stack.person(22, "王五")
    await m.say("/start", expect="请选择语言")
    member_id = await stack.db.fetchval("SELECT id FROM members WHERE telegram_id = 22")
    await stack.db.execute(
        "UPDATE members SET status='verified', name='王五', unit_id=? WHERE id=?",
        (t["branch1"], member_id),
    )
    await stack.db.execute("DELETE FROM dialogs")
    await m.say("/officer", expect="没有权限")
    menu = await m.say("/menu", expect="主菜单")
    for forged in (f"ua:add:{t['company']}", f"ra:go:{member_id}:0", "jr:ok:1", "nonsense"):
        answer = await m.press_data(menu.message_id, forged)
        assert "没有权限" in answer or "已过期" in answer, (forged, answer)
    assert await stack.db.fetchval("SELECT COUNT(*) FROM roles") == 0
    assert len(await units.all_units(stack.db)) == 3


async def test_restart_in_the_middle_of_registration(stack: Stack) -> None:
    await _tree(stack)
    m = await stack.person(23, "赵六")
    await m.say("/start", expect="请选择语言")
    await m.press("✓ 中文", expect="姓名")
    await m.say("赵六", expect="单位")
    await stack.restart_bot()
    await m.press("📂 公司工会", expect="当前位置")
    await m.press("第二分工会", expect="工号")
    stored = await members.by_telegram_id(stack.db, 23)
    assert stored is not None and stored.name == "赵六"


async def test_the_token_never_reaches_the_logs(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    m = await stack.person(24, "钱七")
    await m.say("/start", expect="请选择语言")
    await stack.restart_bot()
    await m.say("/help", expect="帮助")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert caplog.records, "nothing was logged"
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


async def test_webhook_mode_receives_updates(stack: Stack) -> None:
    import socket

    await stack.stop_bot()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stack.settings_overrides.update(
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret-token",
    )
    from bot.app import start_app

    stack.app = stack.build()
    await start_app(stack.app, webhook=True)
    assert stack.core.webhook is not None and stack.core.webhook.url.endswith("/telegram")
    m = await stack.person(25, "孙八")
    await m.say("/start", expect="请选择语言")
