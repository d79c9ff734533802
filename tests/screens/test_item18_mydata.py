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
