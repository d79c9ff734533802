"""Shared steps for registration tests: a newcomer starts in Chinese and registers."""

from __future__ import annotations

from collections.abc import Sequence

from tests.harness import Harness

#: The unit path a newcomer presses in the test tree: top union, branch, group.
GROUP1 = ("公司工会", "📂 第一分工会", "装配小组")


async def start_in_chinese(bot: Harness, user: int) -> None:
    """A new Telegram user sends /start and picks Chinese; the bot asks for the name."""
    bot.user(user)
    await bot.send(user, "/start")
    await bot.press(user, "✓ 中文")


async def register(
    bot: Harness,
    user: int,
    name: str,
    path: Sequence[str] = GROUP1,
    employee_no: str | None = None,
) -> None:
    """A newcomer registers: name, unit path, employee number (or Skip), accepts the notice."""
    await start_in_chinese(bot, user)
    await bot.send(user, name)
    top, *below = path
    await bot.press_labelled(user, top)
    for label in below:
        await bot.press(user, label)
    if employee_no is None:
        await bot.press(user, "跳过")
    else:
        await bot.send(user, employee_no)
    await bot.press(user, "✅ 同意")
