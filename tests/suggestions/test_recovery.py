"""Writing a suggestion survives a crash between storing a step and drawing the next one."""

from __future__ import annotations

from tests.crash import die_typing
from tests.harness import Harness
from tests.suggestions.flow import REF, seed

AUTHOR = 101


async def _at_text(bot: Harness) -> None:
    await seed(bot)
    await bot.send(AUTHOR, "/suggest")
    await bot.press(AUTHOR, "食堂与生活")
    await bot.press(AUTHOR, "🙋 实名")
    assert "请用一条文字消息" in bot.screen(AUTHOR).text


async def test_a_text_stored_before_the_crash_gets_the_photo_step_at_start(bot: Harness) -> None:
    await _at_text(bot)
    await die_typing(bot, AUTHOR, "希望加开夜班车")
    assert "可以添加最多" in bot.screen(AUTHOR).text
    await bot.press(AUTHOR, "➡️ 继续")
    await bot.press(AUTHOR, "✅ 发送")
    assert REF.search(bot.screen(AUTHOR).text)


async def test_a_text_typed_again_after_a_crash_is_not_taken_for_a_photo(bot: Harness) -> None:
    await _at_text(bot)
    await die_typing(bot, AUTHOR, "希望加开夜班车", down_for=3600)
    await bot.send(AUTHOR, "希望加开夜班车")
    assert "可以添加最多" in bot.screen(AUTHOR).text
    await bot.press(AUTHOR, "➡️ 继续")
    assert "希望加开夜班车" in bot.screen(AUTHOR).text
