"""Invitations and reminders through the real delivery engine (outbox rows, checks)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.delivery import Delivery, hook_up
from handlers.registry import registry_of
from storage import outbox
from tests.harness import Harness
from tests.surveys_chat.helpers import (
    FLOW_YAML,
    OFFICER,
    answer_four,
    deliver,
    publish,
    start_survey,
    union,
)
from tests.timers import OffsetTimer


@pytest.fixture
async def engine(bot: Harness) -> AsyncIterator[Harness]:
    """The bot with a delivery engine that sends only when drained (no background task)."""
    services = bot.app.bot_data
    previous = services.delivery
    delivery = Delivery(
        bot.db,
        bot.app.bot,
        services.i18n,
        clock=services.clock,
        timer=OffsetTimer(bot.clock),
        rate=None,
        concurrency=2,
    )
    hook_up(bot.app, delivery, registry_of(bot.app).hooks)
    services.delivery = delivery
    try:
        yield bot
    finally:
        services.delivery = previous


async def test_invites_and_reminders_go_through_the_outbox(engine: Harness) -> None:
    bot = engine
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    await bot.member(21, "李四", t["生产一部"], language="en")
    survey_id = await publish(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    assert any("新问卷：测试问卷" in text for text in bot.texts(20))
    assert any("New survey: 测试问卷" in text for text in bot.texts(21))
    assert "📝 Start" in bot.labels(21)
    kinds = [r[0] for r in await bot.db.fetchall("SELECT kind FROM broadcasts ORDER BY id")]
    assert kinds == ["survey_invite"]
    # A reminder is queued for both; 张三 answers before it goes out, so it skips them.
    await start_survey(bot, 20)
    await answer_four(bot, 20, "1", "3")
    await bot.send(OFFICER, f"/remind {survey_id}")
    assert "已安排向 2 名会员发送提醒" in bot.screen(OFFICER).text
    await bot.press(20, "⏭ 跳过")
    await bot.press(20, "✅ 提交")
    await deliver(bot)
    assert any("Reminder" in text for text in bot.texts(21))
    assert not any("提醒" in text for text in bot.texts(20))
    broadcast = await bot.db.fetchval(
        "SELECT MAX(id) FROM broadcasts WHERE kind = 'survey_reminder'"
    )
    counts = await outbox.counts(bot.db, broadcast)
    assert counts.get("sent") == 1 and counts.get("skipped") == 1
