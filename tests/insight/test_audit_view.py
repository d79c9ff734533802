"""Admins browse and export the audit log; anonymous authors never appear."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from storage import audit
from tests.harness import Harness
from tests.insight import seed


async def test_admin_pages_filters_and_exports_the_log(bot: Harness) -> None:
    t = await bot.tree()
    admin = await bot.member(1, "主席", t["company"], role="admin")
    officer = await bot.member(10, "一分干部", t["branch1"], role="officer")
    member = await bot.member(20, "会员甲", t["group1"])
    now = bot.clock.time()
    for n in range(11):
        await audit.record(bot.db, officer.id, "event_create", now - n * 60, target_type="event",
                           target_id=1000 + n, details={"title": f"活动{n}"})
    await audit.record(bot.db, officer.id, "join_approve", now + 1, target_type="member",
                       target_id=member.id)
    anon = await seed.suggestion(bot.db, t["branch1"], created=now, due=now + 86400)
    # An anonymous author's withdrawal: no actor, day-only time, never an author detail.
    await audit.record(bot.db, None, "suggestion_withdraw", now - 3600, target_type="suggestion",
                       target_id=anon, details={"ref": "S-T", "author_id": member.id})

    await bot.send(1, "/officer")
    await bot.press(1, "🧾 操作日志")
    page = bot.screen(1).text
    assert "操作日志" in page and "第 1/2 页" in page and "共 13 条" in page
    assert "一分干部 通过了注册审核 → 会员甲" in page
    assert "创建了活动" in page
    await bot.press(1, "▶")
    page2 = bot.screen(1).text
    assert "第 2/2 页" in page2 and "未具名 一条建议被撤回" in page2
    assert "author_id" not in page2 and str(member.id) not in page2.split("→")[-1]
    await bot.press(1, "🔎 按操作类型")
    await bot.press_labelled(1, "活动 (11)")
    assert "共 11 条" in bot.screen(1).text and "入会" not in bot.screen(1).text

    await bot.press(1, "📤 导出（Excel）")
    doc = bot.core.documents_for(1)[-1]
    rows = list(load_workbook(io.BytesIO(doc.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "操作") and len(rows) == 12
    await bot.press(1, "⬅ 返回")
    await bot.press(1, "🧾 操作日志")
    await bot.press(1, "📤 导出（Excel）")
    rows = list(load_workbook(io.BytesIO(bot.core.documents_for(1)[-1].content)).active
                .iter_rows(values_only=True))
    assert len(rows) == 1 + 13 + 1  # the earlier export is itself recorded
    assert not any(cell and "author" in str(cell) for row in rows for cell in row)
    recorded = [e for e in await audit.recent(bot.db) if e.action == "audit_export"]
    assert len(recorded) == 2 and recorded[0].actor_id == admin.id


async def test_officers_cannot_read_the_log(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/officer")
    assert "🧾 操作日志" not in bot.labels(10)
    assert "没有权限" in await bot.press_data(10, "al:p:0:-")
    assert "没有权限" in await bot.press_data(10, "al:xp")
    assert bot.core.documents_for(10) == []
