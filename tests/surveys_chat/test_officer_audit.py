"""Every officer action on surveys, driven as an officer would, writes its audit row."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from storage import audit
from tests.harness import Harness
from tests.started import started
from tests.surveys_chat.conftest import START
from tests.surveys_chat.helpers import FLOW_YAML, OFFICER, publish, union, upload

MEMBERS = (20, 21, 22)
Scenario = Callable[[Harness, dict[str, int]], Awaitable[None]]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The survey tests' bot, with exports allowed from the third answer (the least allowed)."""
    async with started(tmp_path, at=START, anonymity_threshold=3) as harness:
        yield harness


async def _draft(bot: Harness) -> int:
    text = await upload(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    assert "已保存为草稿" in text, text
    return int(await bot.db.fetchval("SELECT MAX(id) FROM surveys"))


async def _published(bot: Harness) -> int:
    return await publish(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())


async def _upload(bot: Harness, t: dict[str, int]) -> None:
    await _draft(bot)


async def _build(bot: Harness, t: dict[str, int]) -> None:
    await bot.send(OFFICER, "/survey_admin")
    await bot.press(OFFICER, "🧱 创建简单问卷")
    await bot.send(OFFICER, "食堂意见")
    await bot.press(OFFICER, "✍️ 问答题")
    await bot.send(OFFICER, "有什么建议？")
    await bot.press(OFFICER, "✅ 完成")
    await bot.press(OFFICER, "👤 实名")
    await bot.press(OFFICER, "不设截止时间")
    assert "已保存为草稿" in bot.screen(OFFICER).text


async def _audience(bot: Harness, t: dict[str, int]) -> None:
    survey_id = await _draft(bot)
    await bot.press_data(OFFICER, f"svo:aud:{survey_id}")
    await bot.press_data(OFFICER, f"svo:uc:{t['生产二部']}:{survey_id}")
    assert "发放范围已保存" in bot.screen(OFFICER).text


async def _schedule(bot: Harness, t: dict[str, int]) -> None:
    survey_id = await _draft(bot)
    await bot.press_data(OFFICER, f"svo:sch:{survey_id}")
    await bot.send(OFFICER, "2025-03-04 09:00")
    assert "发布" in bot.screen(OFFICER).text


async def _unschedule(bot: Harness, t: dict[str, int]) -> None:
    await _schedule(bot, t)
    survey_id = int(await bot.db.fetchval("SELECT MAX(id) FROM surveys"))
    await bot.press_data(OFFICER, f"svo:uns:{survey_id}")


async def _delete(bot: Harness, t: dict[str, int]) -> None:
    survey_id = await _draft(bot)
    await bot.press_data(OFFICER, f"svo:del:{survey_id}")
    await bot.press_data(OFFICER, f"svo:delok:{survey_id}")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM surveys") == 0


async def _publish(bot: Harness, t: dict[str, int]) -> None:
    await _published(bot)


async def _remind(bot: Harness, t: dict[str, int]) -> None:
    survey_id = await _published(bot)
    await bot.press_data(OFFICER, f"svo:rem:{survey_id}")
    await bot.press_data(OFFICER, f"svo:remok:{survey_id}")


async def _close(bot: Harness, t: dict[str, int]) -> None:
    survey_id = await _published(bot)
    await bot.press_data(OFFICER, f"svo:cls:{survey_id}")
    await bot.press_data(OFFICER, f"svo:clsok:{survey_id}")


async def _export(bot: Harness, t: dict[str, int]) -> None:
    survey_id = await _published(bot)
    for member in MEMBERS:
        await bot.press_labelled(member, "开始填写")
        await bot.press_labelled(member, "开始填写")
        await bot.press(member, "白班")
        await bot.press(member, "☐ 食堂")
        await bot.press_labelled(member, "✅ 完成")
        await bot.send(member, "5")
        await bot.press(member, "4")
        await bot.press(member, "⏭ 跳过")
        await bot.press(member, "✅ 提交")
    await bot.press_data(OFFICER, f"svo:xlsx:{survey_id}")
    assert any(m.document for m in bot.messages(OFFICER)), "no Excel file was sent"


#: Every survey action that changes data or takes responses out, and its audit action.
ACTIONS: dict[str, Scenario] = {
    "survey_upload": _upload,
    "survey_build": _build,
    "survey_audience": _audience,
    "survey_schedule": _schedule,
    "survey_unschedule": _unschedule,
    "survey_delete": _delete,
    "survey_publish": _publish,
    "survey_remind": _remind,
    "survey_close": _close,
    "survey_export": _export,
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_each_officer_action_writes_an_audit_row(bot: Harness, action: str) -> None:
    t = await union(bot)
    officer = await bot.member(OFFICER, "主席", t["company"], role="officer")
    for member in MEMBERS:
        await bot.member(member, f"会员{member}", t["生产一部"])
    await ACTIONS[action](bot, t)
    rows = [e for e in await audit.recent(bot.db, limit=50) if e.action == action]
    assert rows, f"{action} wrote no audit row"
    assert rows[0].actor_id == officer.id
    assert rows[0].target_type == "survey"
