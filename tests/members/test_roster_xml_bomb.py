"""A roster workbook carrying XML entities (a billion-laughs bomb) is refused, not expanded."""

from __future__ import annotations

import io
import tomllib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from handlers.members.roster_file import read_table
from tests.harness import Harness

ADMIN = 1
ROOT = Path(__file__).resolve().parents[2]
REFUSED = "无法读取该文件。请参照示例发送 .xlsx 或 .csv 文件。"


def _sheet(doctype: str, name: str) -> str:
    """A first sheet with the roster header and one member whose name is `name`."""

    def row(number: int, cells: list[tuple[str, str]]) -> str:
        inline = "".join(
            f'<c r="{col}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
            for col, value in cells
        )
        return f'<row r="{number}">{inline}</row>'

    header = row(1, [("A", "姓名"), ("B", "工号"), ("C", "单位")])
    member = row(2, [("A", name), ("B", "E1001")])
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"{doctype}"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{header}{member}</sheetData></worksheet>"
    )


def _xlsx(sheet_xml: str) -> bytes:
    """A real workbook whose first sheet is replaced by `sheet_xml`."""
    plain = io.BytesIO()
    Workbook().save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            dst.writestr(item, data)
    return out.getvalue()


def billion_laughs() -> bytes:
    """Ten levels of ten references each: 10**9 copies of "lol" once expanded (3 GB)."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return _xlsx(_sheet(f"<!DOCTYPE worksheet [{''.join(levels)}]>", "&lol9;"))


def small_entity() -> bytes:
    """One harmless-looking entity: whoever expands it would also expand a bomb."""
    return _xlsx(_sheet('<!DOCTYPE worksheet [<!ENTITY who "张三">]>', "&who;"))


def test_the_plain_sheet_reads() -> None:
    # The helper itself builds a readable workbook: only the entities make the difference.
    table = read_table("名册.xlsx", _xlsx(_sheet("", "张三")))
    assert table is not None and table[1][:2] == ["张三", "E1001"]


@pytest.mark.parametrize("content", [billion_laughs(), small_entity()], ids=["bomb", "entity"])
def test_entities_in_a_workbook_are_never_expanded(content: bytes) -> None:
    assert read_table("名册.xlsx", content) is None


async def test_an_uploaded_bomb_is_refused_with_a_message_and_nothing_imported(
    bot: Harness,
) -> None:
    tree = await bot.tree()
    await bot.member(ADMIN, "主席", tree["company"], role="admin")
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "📥 导入名册")
    out = await bot.upload(ADMIN, "名册.xlsx", billion_laughs())
    assert out[-1].text == REFUSED
    assert await bot.db.fetchval("SELECT COUNT(*) FROM roster_entries") == 0


def test_defusedxml_is_a_declared_runtime_dependency() -> None:
    # openpyxl refuses entities only when defusedxml is installed; it must not be luck.
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("defusedxml") for d in deps)
