"""Drive the suggestion box through the real Application, as members and officers would."""

from __future__ import annotations

import re
from datetime import datetime

from bot.services import BotContext
from handlers.suggestions import supervision as suggestions_supervision
from storage import mixing
from tests.harness import Harness
from tests.suggestions.helpers import TZ

REF = re.compile(r"\b([SQ]-[A-Z0-9]{6})\b")


async def seed(bot: Harness, authors: int = 5) -> dict[str, int]:
    """Standard tree, officers 900 (branch1) and 800 (company), members 101.. in branch1."""
    t = await bot.tree()
    await bot.member(900, "王委员", t["branch1"], role="officer")
    await bot.member(800, "赵主席", t["company"], role="officer")
    for n in range(authors):
        await bot.member(101 + n, f"会员{n}", t["branch1"])
    return t


async def suggest(
    bot: Harness, user: int, text: str, *, anonymous: bool = True, category: str = "食堂与生活"
) -> str:
    """Send a suggestion through the menu flow and return its reference code."""
    await bot.send(user, "/suggest")
    await bot.press(user, category)
    await bot.press(user, "🙈 匿名" if anonymous else "🙋 实名")
    await bot.send(user, text)
    await bot.press(user, "➡️ 继续")
    await bot.press(user, "✅ 发送")
    found = REF.search(bot.screen(user).text)
    assert found, bot.texts(user)[-3:]
    return found.group(1)


async def sweep(bot: Harness) -> None:
    """Run the release and supervision jobs once at the fake clock's time.

    These tests follow one or two items, fewer than a release batch: the pool is released
    as if enough other members had written too (tests/privacy checks the real threshold).
    """
    settings = bot.settings
    slot = mixing.last_slot(bot.clock.time(), settings.anonymous_digest_times, settings.tz)
    async with bot.db.transaction() as tx:
        await tx.execute("DELETE FROM anon_release_mark")
        await mixing.release(tx, bot.app.bot_data.sealer, slot=slot, tz=settings.tz, threshold=1)
    await suggestions_supervision.sweep(BotContext(bot.app))


def at(bot: Harness, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
    """Move the fake clock to a local (Shanghai) time."""
    bot.clock.set(datetime(year, month, day, hour, minute, tzinfo=TZ))


async def open_inbox(bot: Harness, officer: int) -> None:
    """The officer opens the suggestion inbox from the officer menu."""
    await bot.send(officer, "/officer")
    await bot.press(officer, "📥 意见收件箱")
