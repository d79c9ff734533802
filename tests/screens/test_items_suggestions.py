"""Items 7, 8 and 15 (closed suggestions): the suggestion screens say what is true."""

from __future__ import annotations

from tests.harness import Harness
from tests.screens.suggestion_steps import open_suggestion, reply_to
from tests.suggestions.flow import REF, open_inbox, seed, suggest

ODD_NAME = "Bob 🐻 <i>Builder</i> & co"


async def test_answering_a_reply_keeps_the_reply_in_the_chat(bot: Harness) -> None:
    await seed(bot)
    ref = await suggest(bot, 101, "食堂的菜太咸了，希望少放盐。", anonymous=False)
    await reply_to(bot, ref, "已经转告食堂，下周起调整。")
    relay = bot.screen(101)
    assert "下周起调整" in relay.text
    prompt = await bot.press(101, "💬 回复", message_id=relay.message_id)
    assert prompt.message_id != relay.message_id and "回复" in prompt.text
    kept = bot.core.message(101, relay.message_id)
    assert kept is not None and "下周起调整" in kept.text


async def test_names_with_markup_characters_show_as_typed(bot: Harness) -> None:
    t = await seed(bot)
    await bot.member(150, ODD_NAME, t["branch1"])
    shown: list[str] = []
    await bot.send(150, "/suggest")
    await bot.press(150, "食堂与生活")
    await bot.press(150, "🙋 实名")
    await bot.send(150, "请增加夜班班车。")
    shown.append((await bot.press(150, "➡️ 继续")).text)
    await bot.press(150, "✅ 发送")
    ref = REF.search(bot.screen(150).text)
    assert ref is not None
    await reply_to(bot, ref.group(1), "好的，已经在安排。")
    await bot.press(150, "💬 回复")
    await bot.send(150, "谢谢！")
    await open_inbox(bot, 900)
    await bot.press(900, "⏳ 处理中")
    shown.append((await bot.press_labelled(900, ref.group(1))).text)
    shown.append((await bot.send(150, "/profile"))[-1].text)
    for screen in shown:
        assert ODD_NAME in screen, screen
        assert "&lt;" not in screen and "&amp;" not in screen, screen


async def test_a_closed_suggestion_offers_no_close_button(bot: Harness) -> None:
    await seed(bot)
    ref = await suggest(bot, 101, "请增加夜班班车。", anonymous=False)
    await open_suggestion(bot, ref)
    await bot.press(900, "✅ 办结")
    assert "已办结" in bot.screen(900).text
    assert "✅ 办结" not in bot.labels(900)
    assert "🔄 状态" in bot.labels(900)
