"""An anonymous submission leaves no row anywhere that ties the member to what they answered."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from storage.surveys import responses
from tests.harness import Harness
from tests.surveys_chat.helpers import OFFICER, publish, release, start_survey, union

ANON_YAML = """
id: anon_test
title: 匿名测试
anonymous: true
allow_edit: true
closes_at: 2025-03-10
audience: [生产一部]
questions:
  - {id: mood, type: scale, title: 心情如何, min: 1, max: 5}
  - {id: words, type: text, title: 想说的话, required: false}
"""
SECRET = "车间主任总是克扣加班费XYZ"


async def _tables(bot: Harness) -> dict[str, list[dict[str, Any]]]:
    names = [
        r[0]
        for r in await bot.db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    out = {}
    for name in names:
        rows = await bot.db.fetchall(f'SELECT * FROM "{name}"')
        out[name] = [dict(r) for r in rows]
    return out


async def test_anonymous_answers_cannot_be_joined_to_the_member(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    for user_id in range(20, 26):  # six members in the unit, one answers
        await bot.member(user_id, f"会员{user_id}", t["生产一部"])
    survey_id = await publish(bot, OFFICER, "anon.yaml", ANON_YAML.encode())
    # The member is told in plain words before starting.
    await bot.press_labelled(20, "开始填写")
    intro = bot.screen(20).text
    assert "这是一份匿名问卷" in intro and "不含姓名" in intro and "无法与您的答案对应" in intro
    assert "✏️ 修改我的答案" not in bot.labels(20)
    await bot.press_labelled(20, "开始填写")
    await bot.press(20, "2")
    await bot.send(20, SECRET)
    await bot.press(20, "✅ 提交")
    assert "匿名保存" in bot.screen(20).text
    assert "下一个汇总时间" in bot.screen(20).text  # and when it counts
    member = await bot.db.fetchone("SELECT * FROM members WHERE telegram_id = 20")
    assert member is not None
    # Until the release the answer exists only sealed in the mixing pool: no row shows it.
    pending = await _tables(bot)
    assert not [n for n, rows in pending.items() for r in rows if SECRET in str(r)]
    assert len(pending["anon_pool"]) == 1 and not pending["survey_responses"]
    bot.clock.advance(4 * 3600)  # 09:00 + 4 h: past the 13:00 release time
    await release(bot, threshold=1)
    # The member id is small and may equal a unit id by chance; it is checked by column.
    identifiers = {member["telegram_id"], member["chat_id"], member["name"]}
    tables = await _tables(bot)
    # 1. The answers exist in exactly one row, of survey_responses.
    holders = [
        (name, row)
        for name, rows in tables.items()
        for row in rows
        if any(SECRET in str(v) for v in row.values())
    ]
    assert [name for name, _row in holders] == ["survey_responses"], holders
    row = holders[0][1]
    # 2. That row names no member, no chat, no time but the day, and a random id.
    assert row["member_id"] is None and row["submitted_at"] is None
    assert row["day"] == "2025-03-03"  # the day of the release, not of the answer
    assert not {v for v in row.values() if v is not None} & identifiers
    assert row["id"] > 2**40, "response ids must not be a counter"
    assert set(row) == {"id", "survey_id", "member_id", "unit_id", "day", "submitted_at", "answers"}
    # The unit is one with enough invited members to hide in (here the member's own, 6 >= 5).
    assert row["unit_id"] == t["生产一部"]
    # 3. What records the member took part has no time and nothing else to join on.
    assert tables["survey_completions"] == [{"survey_id": survey_id, "member_id": member["id"]}]
    # 4. Nothing else links them: progress and the typed-answer dialog are gone.
    assert not [r for r in tables["survey_progress"] if r["member_id"] == member["id"]]
    assert not [r for r in tables["dialogs"] if r["telegram_id"] == 20]
    # No audit entry or outbox row carries answers (checked in 1.) and the audit log has no
    # submission at all.
    assert not [r for r in tables["audit_log"] if r["actor_id"] == member["id"]]
    # 5. Completions are stored in member order, not completion order (WITHOUT ROWID).
    sql = await bot.db.fetchval("SELECT sql FROM sqlite_master WHERE name = 'survey_completions'")
    assert "WITHOUT ROWID" in sql
    # Submitting again is refused; editing an anonymous response is impossible by design.
    assert await responses.named_answers(bot.db, survey_id, member["id"]) is None


async def test_a_small_unit_is_filed_under_a_larger_one(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(30, "小单位会员", t["一班"])  # 一班 has one member
    for user_id in range(31, 36):
        await bot.member(user_id, f"会员{user_id}", t["生产一部"])
    await publish(bot, OFFICER, "anon.yaml", ANON_YAML.encode())
    await start_survey(bot, 30)
    await bot.press(30, "5")
    await bot.press(30, "⏭ 跳过")
    await bot.press(30, "✅ 提交")
    bot.clock.advance(4 * 3600)
    await release(bot, threshold=1)
    unit = await bot.db.fetchval("SELECT unit_id FROM survey_responses")
    # 一班 alone would point at one person; its parent has six invited members.
    assert unit == t["生产一部"]


async def test_anonymous_export_has_no_member_column_and_only_the_day(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    for user_id in range(20, 26):
        await bot.member(user_id, f"会员{user_id}", t["生产一部"])
    survey_id = await publish(bot, OFFICER, "anon.yaml", ANON_YAML.encode())
    for user_id in range(20, 25):
        await start_survey(bot, user_id)
        await bot.press(user_id, str(user_id - 19))
        await bot.send(user_id, f"意见{user_id}")
        await bot.press(user_id, "✅ 提交")
    bot.clock.advance(4 * 3600)
    await release(bot)  # five answers: a full batch
    await bot.press_data(OFFICER, f"svo:xlsx:{survey_id}")
    document = bot.core.documents_for(OFFICER)[-1]
    rows = list(load_workbook(io.BytesIO(document.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("日期", "1. 心情如何", "2. 想说的话")
    assert sorted(rows[1:]) == [("2025-03-03", n, f"意见{n + 19}") for n in range(1, 6)]
    await bot.press_data(OFFICER, f"svo:res:{survey_id}")
    summary = bot.screen(OFFICER).text
    assert "5 人作答 · 平均 3" in summary and "会员" not in summary
