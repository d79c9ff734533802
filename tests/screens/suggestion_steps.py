"""Steps the suggestion screen tests share: the officer opens one and answers it."""

from __future__ import annotations

from tests.harness import Harness
from tests.suggestions.flow import open_inbox

OFFICER = 900


async def open_suggestion(bot: Harness, ref: str) -> None:
    """The officer opens the suggestion with this reference from the inbox."""
    await open_inbox(bot, OFFICER)
    await bot.press_labelled(OFFICER, ref)


async def reply_to(bot: Harness, ref: str, text: str) -> None:
    """The officer opens the suggestion and answers it with this text."""
    await open_suggestion(bot, ref)
    await bot.press(OFFICER, "✍️ 答复")
    await bot.send(OFFICER, text)
