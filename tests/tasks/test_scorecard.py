"""Unit evaluation: the shipped scorecard file, scores from task figures, ranking, upload."""

from __future__ import annotations

import io
from datetime import datetime
from importlib import resources

import openpyxl

from bot.sandbox.core import BotMessage
from storage import audit
from surveys.scorecard import parse_scorecard, score
from tests.harness import Harness
from tests.insight import seed
from tests.tasks.helpers import (
    ADMIN,
    BRANCH1,
    BRANCH2,
    CREATOR,
    SHANGHAI,
    accept_report,
    create_task,
    forged,
    report,
    run_sweep,
    union,
)

SHIPPED = (resources.files("surveys") / "examples" / "scorecard.yaml").read_text(encoding="utf-8")


def test_the_shipped_scorecard_parses_and_its_weights_make_100() -> None:
    card = parse_scorecard(SHIPPED)
    assert not isinstance(card, list)
    assert sum(i.weight for i in card.indicators) == 100
    # A small unit keeps only the task indicators (15 + 10 of the weight).
    result = score(card, {"survey_response": 0.8, "tasks_on_time": 0.5}, small=True)
    assert result.total == 50.0 and result.counted_weight == 15


def test_problems_in_a_scorecard_file_are_listed_with_their_place() -> None:
    bad = (
        "title: x\nindicators:\n  - key: bogus\n    weight: 5\n"
        "  - key: tasks_on_time\n    weight: 0\n"
    )
    problems = parse_scorecard(bad)
    assert isinstance(problems, list)
    assert [(p.code, p.path) for p in problems] == [
        ("unknown_indicator", "indicators[0].key"),
        ("bad_weight", "indicators[1].weight"),
    ]


async def _two_months(bot: Harness) -> None:
    """January: nobody reports. February: branch 2 on time, branch 1 late; both accepted."""
    bot.clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI))
    await union(bot)
    await create_task(bot, title="一月任务", due="2026-01-20 18:00")
    bot.clock.set(datetime(2026, 2, 1, 9, 0, tzinfo=SHANGHAI))
    await create_task(bot, title="二月任务", due="2026-02-10 18:00")
    bot.clock.set(datetime(2026, 2, 5, 9, 0, tzinfo=SHANGHAI))
    await report(bot, BRANCH2)
    await accept_report(bot)
    bot.clock.set(datetime(2026, 2, 12, 9, 0, tzinfo=SHANGHAI))
    await report(bot, BRANCH1)
    await accept_report(bot)


def _digest(bot: Harness, user: int, message_id: int | None = None) -> BotMessage:
    """The digest message (found by its text, or by id once pressing it edited it)."""
    for msg in reversed(bot.messages(user)):
        if msg.message_id == message_id or (message_id is None and "单位考核结果" in msg.text):
            return msg
    raise AssertionError("no digest")


async def _open_digest(bot: Harness, user: int) -> tuple[int, str]:
    """Press the digest's button; the ranking replaces the digest in place."""
    message_id = _digest(bot, user).message_id
    await bot.press(user, "🏅 查看考核结果", message_id)
    return message_id, _digest(bot, user, message_id).text


async def test_monthly_digest_ranking_and_unit_scorecard_with_shipped_weights(bot: Harness) -> None:
    await _two_months(bot)
    await run_sweep(bot, datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI))
    assert any("2026-02 单位考核结果" in t for t in bot.texts(BRANCH1))
    await run_sweep(bot, datetime(2026, 3, 3, 11, 0, tzinfo=SHANGHAI))
    assert sum("单位考核结果" in t for t in bot.texts(BRANCH1)) == 1
    digest, ranking = await _open_digest(bot, CREATOR)
    assert "单位考核 · 2026-02" in ranking
    lines = ranking.splitlines()
    assert lines[1] == "1. 公司工会 / 第二分工会 · 100.0 分（+100.0）"
    assert lines[2] == "2. 公司工会 / 第一分工会 · 40.0 分（+40.0）"
    assert "公司工会 · —" in ranking  # not a target, no member figures: no score
    # Branch 1's own officer sees only branch 1 and its group, never branch 2.
    _id, mine = await _open_digest(bot, BRANCH1)
    assert "第一分工会 · 40.0 分" in mine and "第二分工会" not in mine
    await bot.press(CREATOR, "🔍 公司工会 / 第二分工会", digest)
    unit = _digest(bot, CREATOR, digest).text
    assert "督办任务按时上报率：100% · 15.0/15" in unit
    assert "少于匿名保护门槛" in unit and "问卷回复率：暂无数据" in unit


async def test_exports_and_an_uploaded_scorecard_with_preview(bot: Harness) -> None:
    await _two_months(bot)
    bot.clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "🏅 单位考核")
    await bot.press(ADMIN, "📥 导出 Excel")
    book = openpyxl.load_workbook(io.BytesIO(bot.core.documents_for(ADMIN)[-1].content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("单位", "得分", "上月得分", "变化")
    assert rows[1][:4] == ("公司工会 / 第二分工会", 100, 0, 100)
    await bot.press(ADMIN, "📈 图表")
    assert bot.messages(ADMIN)[-1].kind == "photo"
    # A non-admin cannot replace the scorecard.
    text, answers = await forged(bot, CREATOR, "tk:eup")
    assert answers == 1 and "没有权限" in text
    await bot.press(ADMIN, "⬆ 上传考核评分表")
    out = await bot.upload(
        ADMIN, "bad.yaml", b"title: x\nindicators:\n  - key: nope\n    weight: 1\n"
    )
    assert "文件存在以下问题" in out[-1].text and "indicators[0].key" in out[-1].text
    heavy = SHIPPED.replace("weight: 15\n    target: 1", "weight: 45\n    target: 1")
    out = await bot.upload(ADMIN, "scorecard.yaml", heavy.encode())
    assert "预览" in out[-1].text and "第一分工会 · 18.2" in out[-1].text
    await bot.press(ADMIN, "✅ 启用")
    ranking = (await bot.press(ADMIN, "🏅 单位考核")).text
    assert "第一分工会 · 18.2 分" in ranking
    actions = [e.action for e in await audit.recent(bot.db, limit=100)]
    assert {"scorecard_upload", "scorecard_apply"} <= set(actions)
    assert actions.count("scorecard_export") == 2


async def test_member_figures_count_for_large_units_and_are_hidden_for_small_ones(
    bot: Harness,
) -> None:
    bot.clock.set(datetime(2026, 2, 1, 9, 0, tzinfo=SHANGHAI))
    t = await union(bot)
    # Two suggestions in 装配小组 due in February: one answered in 2 days, one late.
    day = 86400.0
    created = datetime(2026, 2, 8, 9, 0, tzinfo=SHANGHAI).timestamp()
    due = created + 5 * day
    await seed.suggestion(bot.db, t["group1"], created=created, due=due,
                          first_reply=created + 2 * day, status="answered")  # fmt: skip
    await seed.suggestion(bot.db, t["group1"], created=created, due=due,
                          first_reply=due + day, status="answered")  # fmt: skip
    bot.clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    await bot.send(CREATOR, "/officer")
    ranking = (await bot.press(CREATOR, "🏅 单位考核")).text
    # The company (6 members) scores on replies: on time 50 % (5 of 10 points), a median
    # first reply of 4 days (7.5 of 10: full marks at 2 days, none at 10): 12.5 of 20.
    assert "1. 公司工会 · 62.5 分" in ranking
    company = (await bot.press(CREATOR, "🔍 公司工会")).text
    assert "建议按期答复率：50% · 5.0/10" in company
    assert "建议首次答复用时：4.0 天 · 7.5/10" in company
    assert "少于匿名保护门槛" not in company
    await bot.press(CREATOR, "⬅ 返回")
    branch = (await bot.press(CREATOR, "🔍 公司工会 / 第一分工会")).text
    # 第一分工会 has 3 members: the same suggestions are not shown for it.
    assert "建议按期答复率：暂无数据" in branch and "少于匿名保护门槛" in branch
