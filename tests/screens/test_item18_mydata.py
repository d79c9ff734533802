"""Item 18: /mydata's Excel and JSON files read as sections with dates people can read."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.harness import Harness
from tests.privacy.test_mydata_forget import ME, _life


async def test_the_excel_file_has_human_sections_fields_and_dates(bot: Harness) -> None:
    await _life(bot)
    await bot.send(ME, "/mydata")
    await bot.press(ME, "📊 下载（Excel）")
    book = load_workbook(io.BytesIO(bot.core.documents_for(ME)[-1].content))
    rows = [
        [str(c) if c is not None else "" for c in r]
        for r in book.active.iter_rows(values_only=True)
    ]
    cells = "\n".join(" | ".join(r) for r in rows[1:])
    assert "." not in "".join(r[0] for r in rows[1:])  # no "outbox.member_id" sections
    assert "活动报名" in cells and "个人资料" in cells
    assert not re.search(r"\b1[5-9]\d{8}(\.\d+)?\b", cells), "epoch seconds in the file"
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", cells)
    assert "created_at" not in cells and "event_id" not in cells


async def test_my_data_holds_my_answers_and_rating_comment(bot: Harness) -> None:
    import json

    from tests.screens.suggestion_steps import reply_to
    from tests.suggestions.flow import open_inbox, seed, suggest

    await seed(bot)
    ref = await suggest(bot, 101, "请增加夜班班车。", anonymous=False)
    await reply_to(bot, ref, "已经在安排。")
    await bot.press(101, "💬 回复")
    await bot.send(101, "希望下月开始。")
    await open_inbox(bot, 900)
    await bot.press(900, "⏳ 处理中")
    await bot.press_labelled(900, ref)
    await bot.press(900, "✅ 办结")
    await bot.press(101, "⭐⭐⭐⭐")
    await bot.send(101, "处理及时")
    await bot.send(101, "/mydata")
    await bot.press(101, "📄 下载（JSON）")
    text = json.dumps(json.loads(bot.core.documents_for(101)[-1].content), ensure_ascii=False)
    assert "希望下月开始。" in text and "处理及时" in text


def _keys(value: object) -> list[str]:
    """Every key at any depth of a JSON document."""
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in [str(k), *_keys(v)]]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def _records(value: object) -> int:
    """How many records (objects inside lists) a JSON document holds."""
    if isinstance(value, list):
        return sum(1 if isinstance(v, dict) else 0 for v in value) + sum(_records(v) for v in value)
    if isinstance(value, dict):
        return sum(_records(v) for v in value.values())
    return 0


async def test_the_json_file_has_sections_iso_dates_and_a_schema(bot: Harness) -> None:
    import json

    from storage.privacy import holdings

    life = await _life(bot)
    await bot.send(ME, "/mydata")
    await bot.press(ME, "📄 下载（JSON）")
    raw = bot.core.documents_for(ME)[-1].content.decode()
    data = json.loads(raw)
    assert data["schema"] == 2
    assert not [k for k in _keys(data) if "." in k], "table.column keys"
    assert not re.search(r"\b1[5-9]\d{8}(\.\d+)?\b", raw), "epoch seconds in the file"
    assert data["profile"]["name"] == "王小明" and data["profile"]["employee_number"] == "E2001"
    assert data["profile"]["registered_at"].endswith("+08:00")  # the bot's zone, ISO-8601
    assert data["events"]["signups"][0]["event_id"] == life["event"]
    assert data["events"]["signups"][0]["checked_in_at"].startswith("2026-03-")
    assert data["suggestions"]["named"][0]["ref"] == life["named"].ref
    assert data["suggestions"]["anonymous_references"] == [life["anonymous"].ref]
    assert data["suggestions"]["your_thread_messages"][0]["text"] == "谢谢，王小明"
    named = data["surveys"]["named_answers"][0]["answers"]
    assert named["q2"] == "王小明的意见"  # an object, not JSON inside a string
    assert data["surveys"]["took_part"]
    assert data["study"]["lessons_read"] and data["announcements_received"]
    assert data["audit_entries_about_you"][0]["action"] == "join_approve"
    # Still complete: every stored record about the member is in the file.
    member = await holdings.collect(bot.db, life["me"].id, bot.app.bot_data.sealer)
    assert member is not None
    stored = sum(len(rows) for _section, rows in member.tables.values())
    assert _records(data) == stored


def test_every_declared_holding_has_a_place_in_the_json() -> None:
    from handlers.privacy.json_export import PLACES, WORK
    from storage.privacy.holdings import COUNT_ONLY, HOLDINGS

    names = {f"{h.table}.{h.column}": h.section for h in HOLDINGS}
    unplaced = [
        n for n, section in names.items() if n not in (WORK if section in COUNT_ONLY else PLACES)
    ]
    assert unplaced == [], "holdings that would land under 'other'"
