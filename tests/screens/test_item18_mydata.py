"""Item 18: /mydata's Excel file reads as sections with dates in the member's language."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.harness import Harness
from tests.insight.test_privacy import ME, _life


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

    from tests.suggestions.flow import open_inbox, seed, suggest

    await seed(bot)
    ref = await suggest(bot, 101, "请增加夜班班车。", anonymous=False)
    await open_inbox(bot, 900)
    await bot.press_labelled(900, ref)
    await bot.press(900, "✍️ 答复")
    await bot.send(900, "已经在安排。")
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
