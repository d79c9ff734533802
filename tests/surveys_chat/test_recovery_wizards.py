"""No officer's step lost to a crash: the survey builder and the upload pick up where they stood.

The kill is the one tests/crash.py provides: the sandbox holds one Bot
API call, the handler is dropped while it waits (its writes done, its screen not drawn)
and a new Application starts on the same database file.
"""

from __future__ import annotations

from storage import dialogs
from storage.surveys import queries as store
from tests.crash import die_inside, die_typing
from tests.harness import Harness
from tests.surveys_chat.helpers import FLOW_YAML, OFFICER, union


async def _builder_at_menu(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.send(OFFICER, "/survey_admin")
    await bot.press(OFFICER, "🧱 创建简单问卷")
    await bot.send(OFFICER, "食堂意见")
    assert "请继续添加题目" in bot.screen(OFFICER).text


async def _step(bot: Harness) -> str:
    dialog = await dialogs.get(bot.db, OFFICER)
    assert dialog is not None
    return dialog.step


async def test_a_builder_button_of_an_answered_step_redraws_the_current_step(
    bot: Harness,
) -> None:
    await _builder_at_menu(bot)
    await bot.press(OFFICER, "✍️ 问答题")
    await bot.send(OFFICER, "有什么建议？")
    await bot.press(OFFICER, "✅ 完成")
    screen = bot.screen(OFFICER).message_id
    await bot.press(OFFICER, "👤 实名")
    assert "会员可以填写到什么时候" in bot.screen(OFFICER).text
    # The same button again (a double tap, or the screen never moved on): the step is
    # answered, so the current one is shown; the press is not refused nor filed again.
    alert = await bot.press_data(OFFICER, "svb:anon:1", message_id=screen)
    assert "过期" not in alert
    assert "会员可以填写到什么时候" in bot.screen(OFFICER).text
    dialog = await dialogs.get(bot.db, OFFICER)
    assert dialog is not None and dialog.step == "close" and dialog.data["anonymous"] is False


async def test_a_builder_title_stored_before_the_crash_gets_its_menu_on_the_next_message(
    bot: Harness,
) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.send(OFFICER, "/survey_admin")
    await bot.press(OFFICER, "🧱 创建简单问卷")
    await die_typing(bot, OFFICER, "食堂意见", down_for=3600)
    assert await _step(bot) == "menu"
    # No menu came; the officer sends the title again and gets the step they are on.
    await bot.send(OFFICER, "食堂意见")
    screen = bot.screen(OFFICER)
    assert "请继续添加题目" in screen.text and "🧱 食堂意见" in screen.text
    assert any("问答题" in str(b.get("text")) for b in screen.buttons)


async def test_a_builder_question_repeated_after_a_crash_is_not_filed_as_its_options(
    bot: Harness,
) -> None:
    await _builder_at_menu(bot)
    await bot.press(OFFICER, "🔘 单选题")
    await die_typing(bot, OFFICER, "您的班次？", down_for=3600)
    assert await _step(bot) == "options"
    await bot.send(OFFICER, "您的班次？")
    assert "请发送选项，每行一个" in bot.screen(OFFICER).text
    assert "请发送 2–20 个不同的选项" not in "\n".join(bot.texts(OFFICER))
    await bot.send(OFFICER, "白班\n夜班")
    menu = bot.screen(OFFICER).text
    assert "1. 您的班次？" in menu and "2." not in menu


async def test_an_upload_saved_before_the_crash_is_confirmed_on_the_next_message(
    bot: Harness,
) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.send(OFFICER, "/survey_admin")
    await bot.press_data(OFFICER, "svo:up")
    await die_inside(
        bot,
        "sendMessage",
        lambda: bot.core.user_send_document(OFFICER, "flow.yaml", FLOW_YAML.encode()),
        down_for=3600,
    )
    assert len(await store.all_surveys(bot.db)) == 1
    # The officer never saw the result and sends the file again: they learn it was saved.
    await bot.upload(OFFICER, "flow.yaml", FLOW_YAML.encode())
    assert "已保存为草稿" in bot.screen(OFFICER).text
    assert len(await store.all_surveys(bot.db)) == 1


async def test_a_builder_step_stored_just_before_the_crash_is_sent_at_start(bot: Harness) -> None:
    await _builder_at_menu(bot)
    await bot.press(OFFICER, "🔘 单选题")
    await die_typing(bot, OFFICER, "您的班次？")
    # The new process sends the step the officer had reached, without waiting for them.
    assert "请发送选项，每行一个" in bot.screen(OFFICER).text
    await bot.send(OFFICER, "白班\n夜班")
    assert "1. 您的班次？" in bot.screen(OFFICER).text
