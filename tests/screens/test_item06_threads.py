"""Item 6: long suggestion threads page instead of hiding replies; nothing is unreadable."""

from __future__ import annotations

from tests.harness import Harness
from tests.suggestions.flow import open_inbox, seed, suggest

OLDER = "⬅ 更早的消息"


def _long(mark: str) -> str:
    return (mark * 1999)[:1999] + "。"


async def _pages(bot: Harness, user_id: int) -> list[str]:
    """The screen, then every older page, pressing ⬅ until there is none."""
    pages = [bot.screen(user_id).text]
    while OLDER in bot.labels(user_id):
        pages.append((await bot.press(user_id, OLDER)).text)
        assert len(pages) < 10
    return pages


async def test_every_message_of_a_long_thread_can_be_read_in_full(bot: Harness) -> None:
    await seed(bot)
    ref = await suggest(bot, 101, _long("甲"), anonymous=False)
    await open_inbox(bot, 900)
    await bot.press_labelled(900, ref)
    for mark in ("乙", "丙"):
        await bot.press(900, "✍️ 答复")
        await bot.send(900, _long(mark))
    await bot.press(101, "💬 回复")
    await bot.send(101, _long("丁"))
    notice = bot.screen(900).text
    assert _long("丁") in notice  # the officer's notice is not cut at 500 characters
    await open_inbox(bot, 900)
    await bot.press(900, "⏳ 处理中")
    await bot.press_labelled(900, ref)
    officer_pages = await _pages(bot, 900)
    assert _long("丁") in officer_pages[0]  # the newest first
    await bot.send(101, "/menu")
    await bot.press(101, "📬 我的建议")
    await bot.press_labelled(101, ref)
    member_pages = await _pages(bot, 101)
    for pages in (officer_pages, member_pages):
        seen = "\n".join(pages)
        for mark in "甲乙丙丁":
            assert _long(mark) in seen, mark
        assert "不再显示" not in seen and "未显示" not in seen
