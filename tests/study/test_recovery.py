"""No study-plan upload lost to a crash between saving the plan and showing it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import study
from tests.harness import Harness
from tests.study.helpers import EXAMPLE
from tests.surveys_chat.test_recovery import _die_inside

OFFICER = 1


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await Harness(tmp_path, admin_ids=(OFFICER,)).start()
    t = await harness.tree()
    await harness.member(OFFICER, "主席", t["company"], role="admin")
    try:
        yield harness
    finally:
        await harness.stop()


async def _uploading(bot: Harness) -> None:
    await bot.send(OFFICER, "/officer")
    await bot.press(OFFICER, "📚 学习计划")
    await bot.press(OFFICER, "⬆ 上传学习计划")


async def _die_uploading(bot: Harness, down_for: float) -> None:
    await _die_inside(
        bot,
        "sendMessage",
        lambda: bot.core.user_send_document(OFFICER, "study_plan.yaml", EXAMPLE),
        down_for=down_for,
    )
    assert len(await study.all_plans(bot.db)) == 1  # saved before the crash


async def test_a_plan_saved_before_the_crash_is_shown_at_start(bot: Harness) -> None:
    await _uploading(bot)
    await _die_uploading(bot, down_for=0)
    assert "格式正确" in bot.screen(OFFICER).text
    assert "▶ 开始" in bot.labels(OFFICER)


async def test_the_file_sent_again_after_the_crash_shows_the_saved_plan(bot: Harness) -> None:
    await _uploading(bot)
    await _die_uploading(bot, down_for=3600)
    out = await bot.upload(OFFICER, "study_plan.yaml", EXAMPLE)
    assert out and "两学一做" in out[-1].text and "▶ 开始" in bot.labels(OFFICER)
    assert len(await study.all_plans(bot.db)) == 1
