"""Shared steps of the announcement tests: the people, composing, delivering, the report."""

from __future__ import annotations

from bot.sandbox.core import BotMessage
from tests.delivery.running import engine
from tests.harness import Harness


async def deliver(bot: Harness) -> None:
    """Let the engine send everything due, then let its progress edits land."""
    await engine(bot).drain(wait_due=True)
    await engine(bot).settle()


def report_of(bot: Harness) -> BotMessage:
    """The officer's progress message (their own copy of the announcement may be newer)."""
    return next(m for m in reversed(bot.messages(10)) if "已送达" in m.text)


async def people(bot: Harness) -> dict[str, int]:
    """Branch 1: an officer and two members (one in a sub-unit); branch 2: one member."""
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.member(20, "张三", t["group1"])
    await bot.member(21, "Alice", t["branch1"], language="en")
    await bot.member(30, "王五", t["branch2"])
    return t


async def compose(bot: Harness, text: str) -> None:
    """Officer 10 opens /announce, writes text and picks their own branch."""
    await bot.send(10, "/announce")
    await bot.press(10, "✏️ 新建通知")
    await bot.send(10, text)
    await add_branch1(bot)
    await bot.press(10, "➡ 继续")


async def send_acknowledged(bot: Harness, text: str) -> None:
    """Officer 10 composes, asks members to confirm reading, sends now, and it is delivered."""
    await compose(bot, text)
    await bot.press(10, "☐ 阅读确认：关")
    await bot.press(10, "📤 立即发送")
    await deliver(bot)


async def add_branch1(bot: Harness) -> None:
    """Officer 10 adds their own branch to the audience through the unit picker."""
    await bot.press(10, "➕ 添加单位")
    await bot.press(10, "📂 公司工会")
    await bot.press(10, "📂 第一分工会")
    await bot.press(10, "✔ 选择第一分工会")
