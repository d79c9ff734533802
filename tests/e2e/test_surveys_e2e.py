"""Surveys over real HTTP: upload the branching example, three members, a restart, results."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.sandbox.core import BotMessage
from storage import members, units
from tests.e2e.conftest import Person, Stack, running_stack
from tests.timers import FakeClock

EXAMPLE = Path(__file__).resolve().parents[2] / "surveys" / "examples" / "training_needs.yaml"
#: 2025-03-03 09:00 in Shanghai: the example survey runs from 1 to 20 March 2025.
START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
async def stack(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Stack]:
    """The e2e stack on a FakeClock that survives restarts; three answers show results."""
    caplog.set_level(logging.DEBUG)
    async with running_stack(tmp_path, clock=FakeClock(START), anonymity_threshold=3) as s:
        yield s


def _clock(stack: Stack) -> FakeClock:
    assert isinstance(stack.clock, FakeClock)
    return stack.clock


async def _member(stack: Stack, user_id: int, name: str, unit_id: int) -> Person:
    person = await stack.person(user_id, name)
    now = _clock(stack).time()
    m = await members.touch(stack.db, user_id, user_id, "zh_CN", now)
    await members.update_profile(stack.db, m.id, name=name, unit_id=unit_id)
    await members.set_status(stack.db, m.id, "verified", now)
    return person


async def _upload(
    stack: Stack, person: Person, name: str, content: bytes, expect: str
) -> BotMessage:
    version, before = await person._snapshot()
    await stack.client.user_send_document(person.user_id, name, content)
    return await person._await_change(before, version, expect, 10.0)


async def test_branching_survey_end_to_end(stack: Stack) -> None:
    now = _clock(stack).time()
    company = await units.create(stack.db, "公司工会", None, now)
    # The demo union's tree, which the shipped example addresses.
    branch1 = await units.create(stack.db, "第一分工会", company.id, now)
    branch2 = await units.create(stack.db, "第二分工会", company.id, now)
    assembly = await units.create(stack.db, "装配小组", branch1.id, now)
    storage = await units.create(stack.db, "仓储小组", branch2.id, now)
    officer = await _member(stack, 1, "主席", company.id)
    a = await _member(stack, 21, "赵一", assembly.id)
    b = await _member(stack, 22, "钱二", storage.id)
    c = await _member(stack, 23, "孙三", assembly.id)

    # The officer uploads the example, gets a clean report, previews nothing, publishes.
    await officer.say("/survey_admin", expect="可以上传 YAML 文件")
    await officer.press("⬆️ 上传 YAML 文件", expect="YAML")
    await _upload(stack, officer, "bad.yaml", b"id: [oops\n", expect="不是有效的 YAML")
    draft = await _upload(
        stack, officer, "training_needs.yaml", EXAMPLE.read_bytes(), "已保存为草稿"
    )
    assert "第二分工会 / 仓储小组" in draft.text and "18:00" in draft.text
    await officer.press("🚀 立即发布", expect="已邀请 3 名会员")

    # A: production path, across a restart of the bot.
    await a.expect("新问卷：年度职工培训需求调查")
    await a.press("📝 开始填写", expect="实名问卷")
    await a.press("▶️ 开始填写", expect="今年您是否有参加培训的意愿？")
    await a.press("是", expect="您目前的岗位类别是？")
    await a.press("生产操作岗", expect="您最希望提升哪些技能？")
    await stack.restart_bot()
    await a.say("/surveys", expect="填写中")
    await a.press("✏️ 年度职工培训需求调查", expect="您已回答 2 题")
    await a.press("▶️ 继续填写", expect="您最希望提升哪些技能？")
    await a.press("☐ 数控加工", expect="您最希望提升哪些技能？")
    await a.press("☐ 安全生产", expect="您最希望提升哪些技能？")
    await a.press("✅ 完成（2）", expect="您是否希望考取职业技能等级证书？")
    await a.press("是", expect="您希望考取哪个等级？")
    await a.press("中级工", expect="您更喜欢哪种培训形式？")
    await a.press("师带徒", expect="您是否愿意担任师傅？")
    await a.press("是", expect="每月可以投入多少小时")
    await a.say("九十", expect="请发送一个整数")
    await a.say("90", expect="数字不能大于 80")
    await a.say("10", expect="培训对您的职业发展有多重要")
    await a.press("5", expect="对培训工作还有什么建议？")
    await a.say("希望多开数控课", expect="请核对您的答案")
    await a.press("✅ 提交", expect="谢谢")

    # B: management path; 0 hours ends the survey early.
    await b.press("📝 开始填写", expect="实名问卷")
    await b.press("▶️ 开始填写", expect="今年您是否有参加培训的意愿？")
    await b.press("是", expect="您目前的岗位类别是？")
    await b.press("经营管理岗", expect="您希望参加哪些方面的课程？")
    await b.press("☐ 公文写作", expect="您希望参加哪些方面的课程？")
    await b.press("✅ 完成（1）", expect="您更喜欢哪种培训形式？")
    await b.press("线上课程", expect="每月可以投入多少小时")
    review = await b.say("0", expect="请核对您的答案")
    assert "师傅" not in review.text and "职业发展" not in review.text
    await b.press("✅ 提交", expect="谢谢")

    # C: not willing; the survey ends after the first question.
    await c.press("📝 开始填写", expect="实名问卷")
    await c.press("▶️ 开始填写", expect="今年您是否有参加培训的意愿？")
    review = await c.press("否", expect="请核对您的答案")
    assert "岗位类别" not in review.text
    await c.press("✅ 提交", expect="谢谢")
    answer = await c.press_data(review.message_id, "sv:sub:1")
    assert "已提交过" in answer

    # Results: a summary, a chart, an export whose cells are the answers.
    await officer.say("/survey_admin", expect="可以上传 YAML 文件")
    await officer.press("🟢 年度职工培训需求调查", expect="已填：3 人")
    summary = await officer.press("📊 结果", expect="问卷结果")
    assert "应填：3 人 · 已填：3 人（100%）" in summary.text
    assert "是：2（67%）· 否：1（33%）" in summary.text
    assert "希望多开数控课" not in summary.text  # one comment is fewer than the threshold
    await officer.press("📈 图表", expect="今年您是否有参加培训的意愿？")
    photos = [m for m in await stack.client.messages_for(1) if m.kind == "photo"]
    assert len(photos) == 1 and photos[0].photo
    png = await stack.client.download(photos[0].photo[-1]["file_id"])
    assert png.startswith(b"\x89PNG")
    await officer.press("📥 导出 Excel", expect="共 3 份答卷")
    documents = await stack.client.documents_for(1)
    content = await stack.client.download(documents[-1]["file_id"])
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == (
        "姓名",
        "单位",
        "提交时间",
        "1. 今年您是否有参加培训的意愿？",
        "2. 您目前的岗位类别是？",
    )
    got = {r[0]: r[1:] for r in rows[1:]}
    assert got["赵一"] == (
        "公司工会 / 第一分工会 / 装配小组",
        datetime(2025, 3, 3, 9, 0),
        "是",
        "生产操作岗",
        "数控加工、安全生产",
        "是",
        "中级工",
        None,
        "师带徒",
        "是",
        10,
        5,
        "希望多开数控课",
    )
    assert got["钱二"][2:] == (
        "是",
        "经营管理岗",
        None,
        None,
        None,
        "公文写作",
        "线上课程",
        None,
        0,
        None,
        None,
    )
    assert got["孙三"][2:] == ("否",) + (None,) * 10
