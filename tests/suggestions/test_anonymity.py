"""Anonymity: no row or log line ties an item to its author; the file alone cannot either."""

from __future__ import annotations

import io
import logging
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.config import ConfigError
from bot.sealing import Sealer
from storage import members, suggestions
from tests.harness import RELAY_KEY, WRONG_RELAY_KEY, Harness
from tests.suggestions.flow import at, open_inbox, seed, suggest, sweep

#: Telegram ids with many digits, so a match in a row is never a coincidence.
AUTHORS = (710000101, 710000102, 710000103, 710000104)
TEXTS = ("车间太热，需要降温设备", "班组长说话不尊重人", "夜班没有热饭", "培训名额分配不公开")


@dataclass(frozen=True)
class Author:
    """Everything that identifies one author."""

    member_id: int
    telegram_id: int
    name: str
    username: str

    def ints(self) -> set[int]:
        """Numbers that identify them (member id, Telegram user id = private chat id)."""
        return {self.member_id, self.telegram_id}

    def words(self) -> list[str]:
        """Strings that identify them."""
        return [self.name, self.username, str(self.telegram_id)]


async def _authors(bot: Harness, t: dict[str, int]) -> list[Author]:
    # Filler members first, so authors' member ids are far from small counters (seq, stars).
    for n in range(120):
        await members.touch(bot.db, 5_000_000 + n, 5_000_000 + n, "zh_CN", bot.clock.time())
    out = []
    for n, user_id in enumerate(AUTHORS):
        name, username = f"实名作者{'甲乙丙丁'[n]}", f"author_handle_{n}"
        bot.core.add_user(user_id, name, username)
        m = await bot.member(user_id, name, t["branch1"])
        out.append(Author(m.id, user_id, name, username))
    return out


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f"SELECT * FROM {n}").fetchall() for n in names}
    finally:
        conn.close()


def _leaks(value: object, author: Author) -> bool:
    if isinstance(value, int):
        return value in author.ints()
    if isinstance(value, bytes):
        return any(w.encode() in value for w in author.words())
    if isinstance(value, str):
        ids = (str(author.member_id), str(author.telegram_id))
        return any(w in value for w in author.words()) or any(
            re.search(rf"(?<!\d){i}(?!\d)", value) for i in ids
        )
    return False


async def _lifecycle(bot: Harness, authors: list[Author]) -> list[str]:
    """Run every action that writes rows about anonymous items; return their refs."""
    at(bot, 2026, 3, 2, 10, 17)
    refs = [await suggest(bot, a.telegram_id, text) for a, text in zip(authors, TEXTS, strict=True)]
    at(bot, 2026, 3, 2, 13, 0)
    await sweep(bot)
    at(bot, 2026, 3, 2, 13, 7)
    for ref in refs[:3]:
        await open_inbox(bot, 900)
        await bot.press_labelled(900, ref)
        await bot.press(900, "🙋 认领")
        await bot.press(900, "✍️ 答复")
        await bot.send(900, "收到，正在了解情况。")
    first, second = authors[0].telegram_id, authors[1].telegram_id
    # A frozen clock would make everyone act in the same second; people do not.
    at(bot, 2026, 3, 2, 14, 11)
    await bot.press(first, "💬 回复")
    await bot.send(first, "补充：三号车间最严重")
    at(bot, 2026, 3, 2, 15, 0)
    await open_inbox(bot, 900)
    await bot.press(900, "💬 已答复")
    await bot.press_labelled(900, refs[1])
    await bot.press(900, "✅ 办结")
    at(bot, 2026, 3, 2, 15, 23)
    await bot.press(second, "⭐⭐⭐")
    await bot.send(second, "态度还可以")
    at(bot, 2026, 3, 2, 16, 5)
    await bot.send(authors[3].telegram_id, "/menu")
    await bot.press(authors[3].telegram_id, "📬 我的建议")
    await bot.press_labelled(authors[3].telegram_id, refs[3])
    await bot.press(authors[3].telegram_id, "↩️ 撤回")
    await bot.press(authors[3].telegram_id, "↩️ 确认撤回")
    at(bot, 2026, 3, 2, 16, 30)
    await open_inbox(bot, 900)
    await bot.press(900, "💬 已答复")
    await bot.press_labelled(900, refs[2])
    await bot.press(900, "🔇 禁止该提交人匿名提交")
    await bot.press(900, "🔇 确认禁止匿名提交")
    await open_inbox(bot, 900)
    await bot.press(900, "📤 导出")
    at(bot, 2026, 3, 2, 17, 0)
    await sweep(bot)
    return refs


async def test_no_table_or_log_line_about_an_item_names_its_author(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # Production logs at INFO; our own modules are captured down to DEBUG.
    caplog.set_level(logging.INFO)
    for name in ("handlers", "storage", "bot.sealing", "bot.scheduler"):
        caplog.set_level(logging.DEBUG, logger=name)
    t = await seed(bot)
    authors = await _authors(bot, t)
    refs = await _lifecycle(bot, authors)
    ids = {s.id for s in await _items(bot)}
    assert len(ids) == len(refs)
    path = bot.db.path
    await bot.stop()  # closes the database: everything is in the file now
    tables = _tables(path)
    mine = [n for n in tables if n.startswith("suggestion")]
    assert {"suggestions", "suggestion_messages", "suggestion_mine"} <= set(mine)

    def refers(table: str, row: tuple[object, ...]) -> bool:
        if table in mine or table == "dialogs":
            return True
        return any(
            (isinstance(v, int) and v in ids)
            or (isinstance(v, str) and (any(r in v for r in refs) or v in {str(i) for i in ids}))
            for v in row
        )

    checked = 0
    for table, rows in tables.items():
        for row in rows:
            if not refers(table, row):
                continue
            checked += 1
            for author in authors:
                assert not any(_leaks(v, author) for v in row), (table, row, author)
    assert checked > 20  # items, threads, audit entries, sealed lookups were all looked at
    # Named members' own rows still exist: the scan looked where the ids are.
    assert any(_leaks(v, authors[0]) for row in tables["members"] for v in row)
    # Exact times of authors' activity never appear in rows about the items.
    author_ids = {a.member_id for a in authors}
    seen = {row[-1] for row in tables["members"] if row[0] in author_ids}  # last_seen_at
    for table in mine:
        for row in tables[table]:
            assert not seen & set(row), (table, row)
    # Logs: nothing that mentions an item mentions an author (nor does anything else).
    for record in caplog.records:
        text = record.getMessage()
        for author in authors:
            assert not _leaks(text, author), text
    # The export the officer downloaded has no author for anonymous rows.
    sheet = load_workbook(io.BytesIO(bot.core.documents_for(900)[-1].content)).active
    assert sheet is not None
    export = "\n".join(
        "\t".join("" if v is None else str(v) for v in row)
        for row in sheet.iter_rows(values_only=True)
    )
    assert all(ref in export for ref in refs)
    for author in authors:
        assert author.name not in export


async def _items(bot: Harness) -> list[suggestions.Suggestion]:
    query = suggestions.InboxQuery(list(range(1, 10)), "all")
    return (await suggestions.inbox(bot.db, query, 1e12, limit=100))[0]


async def test_the_file_alone_cannot_reveal_the_author_but_the_key_relays(
    bot: Harness, tmp_path: Path
) -> None:
    t = await seed(bot)
    authors = await _authors(bot, t)
    at(bot, 2026, 3, 2, 10, 17)
    refs = [await suggest(bot, a.telegram_id, x) for a, x in zip(authors, TEXTS, strict=True)]
    at(bot, 2026, 3, 2, 13, 0)
    await sweep(bot)  # released from the mixing pool into the suggestions table
    path = bot.db.path
    await bot.stop()
    stolen = tmp_path / "stolen.sqlite3"
    shutil.copy(path, stolen)
    conn = sqlite3.connect(stolen)
    rows = conn.execute("SELECT id, author_id, author_seal, created_at FROM suggestions").fetchall()
    mine_tags = {r[0] for r in conn.execute("SELECT tag FROM suggestion_mine")}
    quota_tags = {r[0] for r in conn.execute("SELECT tag FROM suggestion_anon_quota")}
    conn.close()
    assert len(rows) == len(refs) and all(r[1] is None and r[2] for r in rows)
    # Someone holding the file but guessing the key opens nothing and matches no tag.
    for guess in ("", "password", "unionbot", "x" * 32, RELAY_KEY[:-1] + "A"):
        thief = Sealer(guess)
        assert all(thief.unseal(f"author:{r[0]}".encode(), r[2]) is None for r in rows)
        for a in authors:
            assert thief.tag("mine", a.member_id) not in mine_tags
            assert thief.tag("aquota", a.member_id, "2026-03-02") not in quota_tags
    # The same file refuses to start with a wrong key (one line, named setting)...
    with pytest.raises(ConfigError, match=r"^configuration error: RELAY_KEY:"):
        Harness(tmp_path, database_path=path, relay_key=WRONG_RELAY_KEY)
    # ...and with the right key a redeployed bot still relays replies both ways.
    await bot.restart()
    at(bot, 2026, 3, 2, 13, 0)
    await open_inbox(bot, 900)
    await bot.press_labelled(900, refs[0])
    await bot.press(900, "✍️ 答复")
    await bot.send(900, "已安排降温设备。")
    assert "已安排降温设备" in bot.screen(authors[0].telegram_id).text
    await bot.press(authors[0].telegram_id, "💬 回复")
    await bot.send(authors[0].telegram_id, "谢谢")
    assert "已添加到" in bot.screen(authors[0].telegram_id).text
