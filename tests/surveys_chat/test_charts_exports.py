"""Charts draw Chinese with the bundled font (no boxes); Excel exports are safe and streamed."""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime
from pathlib import Path

from matplotlib import font_manager
from openpyxl import load_workbook

from bot import charts, exports

LABELS = ["非常不满意", "饭菜口味", "排队时间（含午餐高峰）", "其他：请注明", "Wi-Fi 信号"]
TITLE = "您对职工食堂的总体满意度如何？"


def test_every_chinese_character_has_a_glyph_in_the_chart_font() -> None:
    family = charts.ensure_font()
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert "NotoSansCJK" in str(path)
    font = font_manager.get_font(path)
    assert font.family_name == "Noto Sans CJK SC"
    for char in set("".join([TITLE, *LABELS, "人数"])) - {" "}:
        assert font.get_char_index(ord(char)) != 0, f"no glyph for {char!r}"


def test_a_chart_with_chinese_labels_renders_without_glyph_fallback() -> None:
    with warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font(s)" when it would draw a box.
        warnings.simplefilter("error")
        png = charts.bar_chart(
            TITLE,
            LABELS,
            [3, 12, 7, 1, 0],
            annotations=["3 (13%)", "12", "7", "1", "0"],
            xlabel="人数",
        )
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_export_keeps_formulas_as_text_and_strips_control_characters(tmp_path: Path) -> None:
    rows = [
        ['=HYPERLINK("http://evil")', 3, 2.5, True, None],
        ["好\x00的\x07", date(2025, 3, 3), datetime(2025, 3, 3, 9, 30), False, "x" * 40000],
    ]
    count = exports.write_xlsx(
        tmp_path / "out.xlsx", iter(rows), ["文本", "数", "小数", "是否", "长"]
    )
    assert count == 2
    sheet = load_workbook(tmp_path / "out.xlsx").active
    got = list(sheet.iter_rows(values_only=True))
    assert got[0] == ("文本", "数", "小数", "是否", "长")
    assert got[1][:4] == ('=HYPERLINK("http://evil")', 3, 2.5, True)
    assert sheet.cell(row=2, column=1).data_type == "s"  # text, not a formula
    assert got[2][0] == "好的" and got[2][1] == datetime(2025, 3, 3)
    assert got[2][2] == datetime(2025, 3, 3, 9, 30) and len(got[2][4]) == exports.CELL_MAX


def test_bytes_helper_for_sending() -> None:
    content = exports.xlsx_bytes(([i, f"行{i}"] for i in range(1000)), ["编号", "内容"])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.max_row == 1001 and sheet.cell(row=1001, column=2).value == "行999"
