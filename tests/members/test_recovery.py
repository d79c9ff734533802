"""Registration survives a crash between storing a step and drawing the next one."""

from __future__ import annotations

from storage import members
from tests.crash import die_inside, die_typing
from tests.harness import Harness
from tests.members.helpers import start_in_chinese

NEWCOMER = 60
ROSTER = "姓名,工号,单位\n张三,E1001,装配小组\n".encode("utf-8-sig")


async def _at_name(bot: Harness) -> None:
    await bot.tree()
    await start_in_chinese(bot, NEWCOMER)
    assert "请发送您的姓名" in bot.screen(NEWCOMER).text


async def test_a_name_stored_before_the_crash_gets_the_unit_step_at_start(bot: Harness) -> None:
    await _at_name(bot)
    await die_typing(bot, NEWCOMER, "王五")
    assert "请选择您所在的单位" in bot.screen(NEWCOMER).text
    await bot.press_labelled(NEWCOMER, "公司工会")
    m = await members.by_telegram_id(bot.db, NEWCOMER)
    assert m is not None and m.name == "王五"


async def test_a_name_typed_again_after_a_crash_is_not_taken_for_the_next_step(
    bot: Harness,
) -> None:
    await _at_name(bot)
    await die_typing(bot, NEWCOMER, "王五", down_for=3600)
    # No next step came; the member types their name again and gets the unit step.
    await bot.send(NEWCOMER, "王五")
    assert "请选择您所在的单位" in bot.screen(NEWCOMER).text
    await bot.press_labelled(NEWCOMER, "公司工会")
    await bot.press(NEWCOMER, "📂 第一分工会")
    await bot.press(NEWCOMER, "装配小组")
    assert "工号" in bot.screen(NEWCOMER).text


async def test_pressing_the_last_screen_after_a_crash_moves_on(bot: Harness) -> None:
    await bot.tree()
    bot.user(NEWCOMER)
    await bot.send(NEWCOMER, "/start")
    screen = bot.screen(NEWCOMER).message_id
    await die_inside(
        bot,
        "editMessageText",
        lambda: bot.core.user_press_button(NEWCOMER, "✓ 中文", screen),
        down_for=3600,
    )
    # The language screen is still the latest the member has: its button is not refused.
    alert = await bot.press_data(NEWCOMER, "reg:lang:zh_CN", message_id=screen)
    assert "过期" not in alert
    assert "请发送您的姓名" in bot.screen(NEWCOMER).text


async def _at_roster_upload(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(1, "主席", t["company"], role="admin")
    await bot.send(1, "/officer")
    await bot.press(1, "📥 导入名册")


async def _import_pressed_then_crash(bot: Harness) -> int:
    """The admin uploads ROSTER and presses Import; the bot dies drawing the report."""
    await _at_roster_upload(bot)
    await bot.upload(1, "名册.csv", ROSTER)
    preview = bot.screen(1).message_id
    await die_inside(
        bot,
        "editMessageText",
        lambda: bot.core.user_press_button(1, "✅ 导入", preview),
        down_for=3600,
    )
    return preview


async def test_a_roster_checked_before_the_crash_is_previewed_at_start(bot: Harness) -> None:
    await _at_roster_upload(bot)
    await die_inside(bot, "sendMessage", lambda: bot.core.user_send_document(1, "名册.csv", ROSTER))
    assert "名册检查" in bot.screen(1).text
    await bot.press(1, "✅ 导入")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM roster_entries") == 1


async def test_an_import_stored_before_the_crash_reports_and_is_not_refused(
    bot: Harness,
) -> None:
    preview = await _import_pressed_then_crash(bot)
    # The preview is still the latest screen: pressing Import again reports, once.
    alert = await bot.press_data(1, "ro:go:0", message_id=preview)
    assert "过期" not in alert
    assert "名册已导入" in bot.screen(1).text
    assert await bot.db.fetchval("SELECT COUNT(*) FROM roster_entries") == 1


async def test_an_import_report_lost_to_a_crash_comes_with_the_next_message(
    bot: Harness,
) -> None:
    await _import_pressed_then_crash(bot)
    # The admin, seeing no report, sends the file again: the report comes, nothing twice.
    await bot.upload(1, "名册.csv", ROSTER)
    assert any("名册已导入" in text for text in bot.texts(1))
    assert await bot.db.fetchval("SELECT COUNT(*) FROM roster_entries") == 1
    assert (
        await bot.db.fetchval("SELECT COUNT(*) FROM audit_log WHERE action = 'roster_import'") == 1
    )
