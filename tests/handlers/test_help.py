"""/help is a screen per role with its commands; /whoami tells anyone their Telegram id."""

from __future__ import annotations

from tests.harness import Harness

MEMBER_COMMANDS = ("/menu", "/profile", "/cancel", "/surveys", "/events", "/checkin", "/mydata",
                   "/forget", "/whoami")  # fmt: skip
OFFICER_COMMANDS = ("/officer", "/announce", "/survey_admin", "/dashboard", "/remind")


async def test_whoami_answers_someone_who_never_registered(bot: Harness) -> None:
    bot.user(555001, "陌生人")
    (reply,) = await bot.send(555001, "/whoami")
    assert "您的 Telegram 用户编号（ID）是 555001" in reply.text and "ADMIN_IDS" in reply.text
    bot.user(555002, "Stranger", language_code="en")
    (reply,) = await bot.send(555002, "/whoami")
    assert "Your Telegram user id is 555002" in reply.text


async def test_help_before_registering_points_to_start(bot: Harness) -> None:
    bot.user(555003, "新人")
    (reply,) = await bot.send(555003, "/help")
    assert "/start" in reply.text and "/whoami" in reply.text
    assert "/mydata" not in reply.text and "工会干部" not in reply.text


async def test_help_lists_what_each_role_can_do(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(20, "张三", t["group1"])
    await bot.member(21, "李委员", t["branch1"], role="officer")
    await bot.member(22, "王主席", t["company"], role="admin")
    await bot.member(23, "Alice", t["group1"], language="en")
    (member,) = await bot.send(20, "/help")
    assert "会员可以做什么" in member.text and "填写问卷" in member.text
    assert all(c in member.text for c in MEMBER_COMMANDS), member.text
    assert "/announce" not in member.text and "工会干部可以做什么" not in member.text
    (officer,) = await bot.send(21, "/help")
    assert "工会干部可以做什么" in officer.text and "管理员可以做什么" not in officer.text
    assert all(c in officer.text for c in MEMBER_COMMANDS + OFFICER_COMMANDS)
    (admin,) = await bot.send(22, "/help")
    assert "管理员可以做什么" in admin.text and "单位架构" in admin.text
    (english,) = await bot.send(23, "/help")
    assert "As a member" in english.text and "/checkin — Check in at an event" in english.text
    assert len(admin.text) < 4096
