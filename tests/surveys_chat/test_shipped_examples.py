"""Every shipped example uploads through the bot as shipped, at any date, in the demo union."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import pytest

from storage.surveys import queries as store
from tests.harness import Harness
from tests.surveys_chat.helpers import upload

ADMIN = 1001
FOLDER = resources.files("surveys") / "examples"
SURVEYS = sorted(p.name for p in FOLDER.iterdir() if p.name.endswith(".yaml")
                 and "\nquestions:" in p.read_text("utf-8"))  # fmt: skip
PLANS = sorted(p.name for p in FOLDER.iterdir() if p.name.endswith(".yaml")
               and "\nlessons:" in p.read_text("utf-8"))  # fmt: skip
PAST = """
id: old_dates
title: 去年的问卷
opens_at: 2024-05-01 09:00
closes_at: 2024-05-10
questions:
  - {id: q1, type: yes_no, title: 您满意吗？}
"""


async def _upload_plan(bot: Harness, name: str) -> str:
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "📚 学习计划")
    await bot.press(ADMIN, "⬆ 上传学习计划")
    out = await bot.upload(ADMIN, name, (FOLDER / name).read_bytes())
    return "\n".join(m.text for m in out)


@pytest.mark.parametrize("moment", [datetime(2026, 12, 8, 2, tzinfo=UTC),
                                    datetime(2031, 2, 28, 15, tzinfo=UTC)])  # fmt: skip
async def test_every_example_uploads_as_shipped(bot: Harness, moment: datetime) -> None:
    bot.clock.set(moment)
    t = await bot.tree()  # the demo union's units: 公司工会 › 第一分工会 › 装配小组 …
    await bot.member(ADMIN, "王主席", t["company"], role="admin")
    for name in SURVEYS:
        text = await upload(bot, ADMIN, name, (FOLDER / name).read_bytes())
        assert "已保存为草稿" in text and "问题" not in text, (name, text)
        await bot.send(ADMIN, "/cancel")
    for name in PLANS:
        text = await _upload_plan(bot, name)
        assert "格式正确" in text, (name, text)
        await bot.send(ADMIN, "/cancel")
    assert len(SURVEYS) >= 3 and len(PLANS) >= 2, (SURVEYS, PLANS)  # two kinds of study plan
    drafts = await store.all_surveys(bot.db)
    assert len(drafts) == len(SURVEYS)
    for survey in drafts:
        assert survey.closes_at is None or survey.closes_at > bot.clock.time()


async def test_past_dates_are_moved_forward_with_a_notice(bot: Harness) -> None:
    bot.clock.set(datetime(2026, 3, 3, 1, tzinfo=UTC))
    t = await bot.tree()
    await bot.member(ADMIN, "王主席", t["company"], role="admin")
    text = await upload(bot, ADMIN, "old.yaml", PAST.encode())
    assert "已保存为草稿" in text
    assert "已顺延 2 年" in text and "2026年5月1日 09:00" in text and "2026年5月11日 00:00" in text
    (survey,) = await store.all_surveys(bot.db)
    assert survey.closes_at == datetime(2026, 5, 10, 16, tzinfo=UTC).timestamp()


async def test_an_unknown_unit_lists_the_units_there_are(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "王主席", t["company"], role="admin")
    wrong = PAST.replace("questions:", "audience: [生产一部]\nquestions:")
    wrong = wrong.replace("2024-05-10", "2099-05-10")
    text = await upload(bot, ADMIN, "wrong.yaml", wrong.encode())
    assert "没有名为“生产一部”的单位" in text
    assert all(name in text for name in ("第一分工会", "装配小组", "第二分工会", "仓储小组"))
