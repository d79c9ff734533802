"""The weekly digest: fired by the driven clock, once per week, across restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.services import BotContext
from handlers import dashboard
from storage import insight
from tests.harness import Harness
from tests.insight import seed
from tests.insight.seed import DAY

SUNDAY_NOON = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
MONDAY_0859 = datetime(2026, 3, 2, 0, 59, tzinfo=UTC)
MONDAY_0900 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def _tick(bot: Harness) -> None:
    await dashboard.tick(BotContext(bot.app))


def _kinds(bot: Harness, user_id: int) -> list[str]:
    return [m.kind for m in bot.messages(user_id)]


async def test_digest_fires_once_a_week_even_across_restarts(tmp_path: Path) -> None:
    bot = Harness(tmp_path)
    bot.clock.set(SUNDAY_NOON)
    await bot.start()
    try:
        t = await bot.tree()
        await bot.member(10, "一分干部", t["branch1"], role="officer")
        await bot.member(11, "二分干部", t["branch2"], role="officer")
        await bot.member(1, "主席", t["company"], role="admin")
        await bot.member(20, "会员甲", t["group1"])
        now = bot.clock.time()
        await seed.suggestion(bot.db, t["group1"], created=now - 10 * DAY, due=now - 2 * DAY,
                              category="Safety")
        ref = await bot.db.fetchval("SELECT ref FROM suggestions")

        await _tick(bot)  # first start: nothing due yet
        bot.clock.set(MONDAY_0859)
        await _tick(bot)
        assert bot.messages(10) == [] and bot.messages(1) == []

        bot.clock.set(MONDAY_0900)
        await _tick(bot)
        assert _kinds(bot, 10) == ["photo", "text"]
        photo, text = bot.messages(10)
        assert "每周简报" in photo.text and "第一分工会" in photo.text
        assert "每周简报" in text.text and "超期建议" in text.text and ref in text.text
        assert "安全" in text.text or "Safety" in text.text
        assert "📊 工作看板" in [b["text"] for b in text.buttons]
        # The other branch's officer hears nothing of this branch's item.
        assert _kinds(bot, 11) == ["photo", "text"]
        assert ref not in bot.messages(11)[1].text and "没有超期" in bot.messages(11)[1].text
        assert ref in bot.messages(1)[1].text  # the admin oversees everything
        assert bot.messages(20) == []  # members get no digest

        bot.clock.advance(600)
        await _tick(bot)
        await bot.restart()
        await _tick(bot)
        assert _kinds(bot, 10) == ["photo", "text"]

        bot.clock.advance(7 * DAY)
        await _tick(bot)
        assert _kinds(bot, 10) == ["photo", "text", "photo", "text"]
        week = insight.local_day(bot.clock.time(), bot.settings.tz)
        sent = await insight.digest_sends(bot.db, week)
        assert set(sent.values()) == {"sent"} and len(sent) == 3
    finally:
        await bot.stop()


async def test_a_fresh_install_waits_for_the_next_digest_time(tmp_path: Path) -> None:
    bot = Harness(tmp_path)
    bot.clock.set(datetime(2026, 3, 4, 2, 0, tzinfo=UTC))  # a Wednesday
    await bot.start()
    try:
        t = await bot.tree()
        await bot.member(10, "一分干部", t["branch1"], role="officer")
        await _tick(bot)
        assert bot.messages(10) == []
        bot.clock.set(datetime(2026, 3, 9, 1, 0, tzinfo=UTC))  # next Monday 09:00
        await _tick(bot)
        assert _kinds(bot, 10) == ["photo", "text"]
    finally:
        await bot.stop()


async def test_digest_day_and_time_are_configurable(tmp_path: Path) -> None:
    bot = Harness(tmp_path, digest_weekday=5, digest_time="17:30")
    bot.clock.set(MONDAY_0900)
    await bot.start()
    try:
        t = await bot.tree()
        await bot.member(10, "一分干部", t["branch1"], role="officer", language="en")
        await _tick(bot)
        bot.clock.set(datetime(2026, 3, 6, 9, 29, tzinfo=UTC))  # Friday 17:29 local
        await _tick(bot)
        assert bot.messages(10) == []
        bot.clock.advance(60)
        await _tick(bot)
        assert "Weekly digest" in bot.messages(10)[0].text
        assert "No overdue suggestions" in bot.messages(10)[1].text
    finally:
        await bot.stop()


async def test_a_blocked_officer_is_recorded_and_not_retried(tmp_path: Path) -> None:
    bot = Harness(tmp_path)
    bot.clock.set(SUNDAY_NOON)
    await bot.start()
    try:
        t = await bot.tree()
        await bot.member(10, "一分干部", t["branch1"], role="officer")
        await _tick(bot)
        bot.core.user_block(10)
        bot.clock.set(MONDAY_0900)
        await _tick(bot)
        await _tick(bot)
        sent = await insight.digest_sends(bot.db, "2026-03-02")
        assert list(sent.values()) == ["blocked"]
    finally:
        await bot.stop()
