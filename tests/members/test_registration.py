"""Registration through the real Application: what a new member sees and what is stored."""

from __future__ import annotations

from storage import members
from storage.members import invites, join_requests
from tests.harness import Harness
from tests.members.helpers import start_in_chinese


async def test_member_registers_and_an_officer_approves(bot: Harness) -> None:
    t = await bot.tree()
    officer = await bot.member(10, "李委员", t["branch1"], role="officer")
    bot.user(20, "张三")
    await bot.send(20, "/start")
    assert "欢迎使用工会服务机器人" in bot.screen(20).text
    assert "✓ 中文" in bot.labels(20)
    screen = await bot.press(20, "✓ 中文")
    assert "请发送您的姓名" in screen.text
    await bot.send(20, "张三")
    assert "请选择您所在的单位" in bot.screen(20).text
    await bot.press_labelled(20, "公司工会")
    await bot.press_labelled(20, "第一分工会")
    await bot.press(20, "装配小组")
    assert "工号" in bot.screen(20).text
    await bot.send(20, "A-1001")
    assert "隐私说明" in bot.screen(20).text
    await bot.press(20, "✅ 同意")
    assert "注册申请已发送" in bot.screen(20).text
    m = await members.by_telegram_id(bot.db, 20)
    assert m is not None and m.status == "pending" and m.employee_no == "A-1001"
    # The officer of the branch above the group is told, with decision buttons.
    note = bot.screen(officer.telegram_id)
    assert "注册审核" in note.text and "张三" in note.text and "装配小组" in note.text
    await bot.press(officer.telegram_id, "✅ 同意")
    assert "您已同意" in bot.screen(officer.telegram_id).text
    m = await members.by_telegram_id(bot.db, 20)
    assert m is not None and m.verified and m.unit_id == t["group1"]
    assert "申请已通过" in bot.screen(20).text


async def test_invite_link_puts_member_straight_into_its_unit(bot: Harness) -> None:
    t = await bot.tree()
    invite = await invites.create(bot.db, t["group2"], None, bot.clock.time(), days=7, max_uses=5)
    bot.user(30, "Bob", "en")
    await bot.send(30, f"/start {invite.code}")
    await bot.press(30, "✓ English")
    await bot.send(30, "Bob <b>&</b> 🙂")
    assert "employee number" in bot.screen(30).text  # the unit step is skipped
    await bot.press(30, "Skip")
    await bot.press(30, "✅ I accept")
    text = bot.messages(30)[-2].text
    assert "Welcome, Bob <b>&</b> 🙂!" in text and "仓储小组" in text
    m = await members.by_telegram_id(bot.db, 30)
    assert m is not None and m.verified and m.unit_id == t["group2"] and m.language == "en"
    assert "Main menu" in bot.screen(30).text


async def test_bad_invite_codes_explain_and_still_allow_a_request(bot: Harness) -> None:
    t = await bot.tree()
    used = await invites.create(bot.db, t["group1"], None, bot.clock.time(), days=7, max_uses=1)
    assert not isinstance(
        await invites.redeem(bot.db, used.code, bot.clock.time()), invites.InviteProblem
    )
    expired = await invites.create(bot.db, t["group1"], None, bot.clock.time(), days=1, max_uses=5)
    bot.clock.advance(2 * 86400)
    for user_id, code, phrase in (
        (41, used.code, "使用次数已满"),
        (42, expired.code, "已过期"),
        (43, "bogus", "无效"),
    ):
        bot.user(user_id)
        await bot.send(user_id, f"/start {code}")
        assert any(phrase in t for t in bot.texts(user_id)), bot.texts(user_id)
        assert "请选择语言" in bot.screen(user_id).text


async def test_bad_names_are_refused_and_nothing_changes(bot: Harness) -> None:
    await bot.tree()
    await start_in_chinese(bot, 50)
    for bad, phrase in (
        ("x" * 65, "姓名太长"),
        ("a\x07b", "控制字符"),
        ("\u200b\u200b", "姓名为空"),
    ):
        out = await bot.send(50, bad)
        assert phrase in out[0].text, (bad, out[0].text)
    await bot.sticker(50)
    assert any("请发送文字" in t for t in bot.texts(50))
    m = await members.by_telegram_id(bot.db, 50)
    assert m is not None and m.name is None and m.status == "new"


async def test_restart_in_the_middle_of_registration_continues(bot: Harness) -> None:
    await bot.tree()
    await start_in_chinese(bot, 60)
    await bot.send(60, "王五")
    await bot.restart()
    await bot.send(60, "/start")
    assert any("注册尚未完成" in t for t in bot.texts(60))
    assert "请选择您所在的单位" in bot.screen(60).text


async def test_stale_and_double_taps_change_nothing(bot: Harness) -> None:
    await bot.tree()
    bot.user(70)
    await bot.send(70, "/start")
    first = bot.screen(70)
    await bot.press(70, "✓ 中文", first.message_id)
    # A second tap on the same (now edited) language screen is out of date.
    answer = await bot.press_data(70, "reg:lang:en", first.message_id)
    assert "已过期" in answer
    m = await members.by_telegram_id(bot.db, 70)
    assert m is not None and m.language == "zh_CN"


async def test_forged_button_is_refused(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(80, "普通会员", t["group1"])
    await bot.send(80, "/menu")
    for forged in ("ua:to:1:2", "ra:go:1:0", "jr:ok:1", "iv:mk:1:7:50", "zz", "reg:lang:xx"):
        answer = await bot.press_data(80, forged)
        assert answer, forged
    assert await join_requests.pending_in_units(bot.db, list(t.values())) == []
    assert not await bot.db.fetchval("SELECT COUNT(*) FROM roles")


async def test_group_chat_points_to_private_chat(bot: Harness) -> None:
    bot.user(90)
    bot.core.user_send_text(90, "/start@union_test_bot", chat_type="group", chat_id=-100)
    bot.core.user_send_text(90, "hello everyone", chat_type="group", chat_id=-100)
    await bot.drain()
    msgs = bot.core.messages_for(-100)
    assert len(msgs) == 1 and "私聊" in msgs[0].text
    assert await members.by_telegram_id(bot.db, 90) is None
