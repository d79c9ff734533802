"""Item 13: a used-up invite says so; an applicant's restart keeps the officer's buttons working."""

from __future__ import annotations

from storage import members
from storage.members import invites
from tests.harness import Harness


async def _register_with(bot: Harness, user_id: int, name: str, code: str) -> None:
    """Open the invite link and go up to the privacy notice."""
    await bot.send(user_id, f"/start {code}")
    await bot.press(user_id, "✓ 中文")
    await bot.send(user_id, name)
    await bot.press(user_id, "跳过")
    assert "隐私说明" in bot.screen(user_id).text


async def test_a_link_used_up_while_registering_says_so(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "李委员", t["branch1"], role="officer")
    invite = await invites.create(bot.db, t["group1"], None, bot.clock.time(), days=7, max_uses=1)
    bot.user(20, "张三")
    bot.user(21, "李四")
    await _register_with(bot, 20, "张三", invite.code)
    await _register_with(bot, 21, "李四", invite.code)
    await bot.press(20, "✅ 同意")
    assert "欢迎" in bot.messages(20)[-2].text
    screen = await bot.press(21, "✅ 同意")
    assert "使用次数已满" in screen.text and "注册申请已发送" in screen.text


async def test_the_applicants_restart_keeps_the_pending_request(bot: Harness) -> None:
    t = await bot.tree()
    officer = await bot.member(10, "李委员", t["branch1"], role="officer")
    invite = await invites.create(bot.db, t["group1"], None, bot.clock.time(), days=7, max_uses=1)
    await invites.redeem(bot.db, invite.code, bot.clock.time())
    bot.user(21, "李四")
    for _attempt in range(2):
        await bot.send(21, f"/start {invite.code}")
        await bot.press(21, "✓ 中文")
        await bot.send(21, "李四")
        await bot.press_labelled(21, "公司工会")
        await bot.press_labelled(21, "第一分工会")
        await bot.press(21, "装配小组")
        await bot.press(21, "跳过")
        await bot.press(21, "✅ 同意")
        assert "注册申请已发送" in bot.screen(21).text
    first = next(m for m in bot.messages(officer.telegram_id) if "李四" in m.text)
    await bot.press(officer.telegram_id, "✅ 同意", message_id=first.message_id)
    decided = bot.core.message(officer.telegram_id, first.message_id)
    assert decided is not None and "您已同意" in decided.text
    m = await members.by_telegram_id(bot.db, 21)
    assert m is not None and m.verified
