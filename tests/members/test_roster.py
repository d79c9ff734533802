"""Roster import (reports, nothing half-done), matching at registration, roster export."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from handlers.members.roster_file import check_roster, read_table
from handlers.unit_picker import UnitTree
from storage import audit, members
from storage.members import invites, roster
from tests.harness import Harness

ADMIN = 1


@pytest.fixture
async def t(bot: Harness) -> dict[str, int]:
    """The standard tree, and an admin at the top of it."""
    tree = await bot.tree()
    await bot.member(ADMIN, "主席", tree["company"], role="admin")
    return tree


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


async def _open_import(bot: Harness) -> None:
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "📥 导入名册")
    assert "导入名册" in bot.screen(ADMIN).text


async def _count(bot: Harness) -> int:
    return int(await bot.db.fetchval("SELECT COUNT(*) FROM roster_entries"))


async def test_a_roster_with_problems_reports_each_line_and_imports_the_rest(
    bot: Harness, t: dict[str, int]
) -> None:
    await bot.db.execute("INSERT INTO units (name, parent_id, created_at) VALUES "
                         "('装配小组', (SELECT id FROM units WHERE name = '第二分工会'), 0)")
    await _open_import(bot)
    content = _csv(
        "姓名,工号,单位",
        "张三,E1001,公司工会 / 第一分工会 / 装配小组",
        "李四,e1002,仓储小组",
        "王五,E1003,不存在的小组",
        "赵六,E1004,装配小组",
        "钱七,E1005,第二分工会",
        "孙八,E1005,第一分工会",
        "周九,工号#9,第一分工会",
        ",E1006,第一分工会",
    )
    out = await bot.upload(ADMIN, "名册.csv", content)
    report = out[-1].text
    assert "名册检查" in report and "新增 2 条" in report
    assert "第 4 行：找不到单位“不存在的小组”" in report
    assert "第 5 行：有多个单位名为“装配小组”" in report
    assert "第 6 行：工号“E1005”重复出现（第 6, 7 行）" in report
    assert "第 7 行" in report and "第 8 行：工号“工号#9”无效" in report
    assert "第 9 行：姓名缺失或无效" in report
    assert await _count(bot) == 0  # nothing before the admin confirms
    await bot.press(ADMIN, "✅ 导入")
    assert "名册已导入：新增 2 条，更新 0 条，6 行未导入" in bot.screen(ADMIN).text
    stored = await roster.existing(bot.db, ["E1001", "E1002"])
    assert set(stored) == {"E1001", "E1002"} and stored["E1002"].name == "李四"
    entry = next(e for e in await audit.recent(bot.db) if e.action == "roster_import")
    assert entry.details == {"added": 2, "updated": 0, "skipped": 6, "invites": 0}
    # The same file again updates instead of duplicating.
    await _open_import(bot)
    await bot.upload(ADMIN, "名册.csv", content)
    await bot.press(ADMIN, "✅ 导入")
    assert await _count(bot) == 2 and "更新 2 条" in bot.screen(ADMIN).text


async def test_missing_columns_import_nothing(bot: Harness, t: dict[str, int]) -> None:
    await _open_import(bot)
    out = await bot.upload(ADMIN, "roster.csv", _csv("姓名,部门", "张三,第一分工会"))
    assert "未导入任何内容" in out[-1].text and "工号" in out[-1].text
    out = await bot.upload(ADMIN, "roster.txt", b"hello")
    assert ".xlsx" in out[-1].text
    out = await bot.upload(ADMIN, "roster.xlsx", b"not a workbook")
    assert "无法读取" in out[-1].text
    assert await _count(bot) == 0


async def test_excel_roster_with_invite_links_per_unit(bot: Harness, t: dict[str, int]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Employee No.", "Unit"])
    sheet.append(["Zhang San", 10023, "装配小组"])
    sheet.append(["Li Si", 10024, "装配小组"])
    sheet.append(["Wang Wu", 10025, "仓储小组"])
    buffer = io.BytesIO()
    book.save(buffer)
    await _open_import(bot)
    await bot.upload(ADMIN, "roster.xlsx", buffer.getvalue())
    await bot.press(ADMIN, "✅ 导入并为各单位生成邀请链接")
    text = bot.screen(ADMIN).text
    assert text.count("https://t.me/union_test_bot?start=") == 2
    assert set(await roster.existing(bot.db, ["10023", "10024", "10025"])) == {
        "10023", "10024", "10025"
    }
    live = await invites.for_units(bot.db, [t["group1"]], bot.clock.time())
    assert [i.max_uses for i in live] == [2]


async def test_only_admins_import(bot: Harness, t: dict[str, int]) -> None:
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/officer")
    assert "📥 导入名册" not in bot.labels(10)
    assert "没有权限" in await bot.press_data(10, "ro:imp")


async def test_registration_with_a_listed_employee_number_joins_at_once(
    bot: Harness, t: dict[str, int]
) -> None:
    group2 = t["group2"]
    await roster.import_entries(bot.db, [roster.Entry("张 三", "E-77", group2)], ADMIN, 0)
    for user_id, name in ((31, "冒名者"), (30, "张三")):
        bot.user(user_id)
        await bot.send(user_id, "/start")
        await bot.press(user_id, "✓ 中文")
        await bot.send(user_id, name)
        await bot.press_labelled(user_id, "公司工会")
        await bot.press(user_id, "📂 第一分工会")
        await bot.press(user_id, "装配小组")
        await bot.send(user_id, "e-77")
        await bot.press(user_id, "✅ 同意")
    matched = await members.by_telegram_id(bot.db, 30)
    assert matched is not None and matched.verified and matched.unit_id == group2
    assert "仓储小组" in bot.messages(30)[-2].text
    # The same number with another name is not trusted: it waits for an officer.
    other = await members.by_telegram_id(bot.db, 31)
    assert other is not None and other.status == "pending"
    assert (await roster.count(bot.db)) == (1, 1)
    assert any(e.action == "roster_match" for e in await audit.recent(bot.db))


def test_reading_and_checking_is_pure() -> None:
    table = read_table("r.csv", "姓名;工号;单位\n张三;A1;公司工会\n".encode("gb18030"))
    assert table == [["姓名", "工号", "单位"], ["张三", "A1", "公司工会"]]
    checked = check_roster(table, UnitTree([]))
    assert checked.entries == [] and checked.problems[0][0] == 2
    assert read_table("r.pdf", b"%PDF") is None


async def test_roster_export_covers_only_the_officers_units(
    bot: Harness, t: dict[str, int]
) -> None:
    await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.member(20, "一分会员", t["group1"])
    await bot.member(21, "二分会员", t["group2"])
    await roster.import_entries(bot.db, [roster.Entry("未注册者", "E9", t["group1"])], ADMIN, 0)
    await bot.send(10, "/officer")
    await bot.press(10, "📤 数据导出")
    assert "👥 会员名册（Excel）" in bot.labels(10)
    assert "🧾 操作日志（Excel）" not in bot.labels(10)  # admins only
    await bot.press(10, "👥 会员名册（Excel）")
    await bot.press(10, "👥 我负责的全部单位")
    doc = bot.core.documents_for(10)[-1]
    rows = list(load_workbook(io.BytesIO(doc.content)).active.iter_rows(values_only=True))
    names = {r[0] for r in rows[1:]}
    assert names == {"一分干部", "一分会员", "未注册者"}
    assert rows[0][:3] == ("姓名", "工号", "单位")
    # Another branch, forged: refused and nothing sent.
    before = len(bot.core.documents_for(10))
    assert "没有权限" in await bot.press_data(10, f"ro:x:{t['branch2']}")
    assert "没有权限" in await bot.press_data(10, f"ro:uc:{t['company']}")
    assert len(bot.core.documents_for(10)) == before
    exports = [e for e in await audit.recent(bot.db) if e.action == "roster_export"]
    assert len(exports) == 1 and exports[0].actor_id is not None
