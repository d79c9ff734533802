"""Item 20: one consistent Chinese (docs/glossary.md), Chinese punctuation, 24:00 deadlines."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n import LOCALES_DIR

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Terms the glossary replaced (the "not" column), as they would appear in a translation.
AVOIDED = (
    "入会申请", "已认证", "作者", "禁言", "我来负责", "预约", "个字符", "落后",
    "出勤", "工会热线", "填空题", "应答", "已答：", "时区 {zone}", "{zone} 时间",
)  # fmt: skip


def _chinese() -> list[tuple[str, str, str]]:
    """(file, msgid, msgstr) of every zh_CN translation."""
    out = []
    for path in sorted(Path(LOCALES_DIR, "zh_CN", "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh):
                if message.id and isinstance(message.string, str):
                    out.append((path.name, str(message.id), message.string))
    return out


def test_the_chinese_catalogs_follow_the_glossary() -> None:
    found = [
        f"{name}: {term} in {text!r}"
        for name, _msgid, text in _chinese()
        for term in AVOIDED
        if term in text
    ]
    assert found == []


def test_the_glossary_names_every_avoided_term() -> None:
    glossary = (Path(__file__).parents[2] / "docs" / "glossary.md").read_text(encoding="utf-8")
    for term in ("入会申请", "已认证", "作者", "禁言", "我来负责", "预约", "个字符", "落后"):
        assert term in glossary


def test_chinese_sentences_use_chinese_punctuation() -> None:
    western = re.compile(r"[\u4e00-\u9fff）][;,] |[\u4e00-\u9fff]\(")
    # <code> holds file syntax (YAML lists such as [单位, …]), which is not a sentence.
    code = re.compile(r"<code>.*?</code>", re.S)
    found = [text for _n, _i, text in _chinese() if western.search(code.sub("", text))]
    assert found == []


def test_lists_in_chinese_use_the_enumeration_comma() -> None:
    assert i18n.join_list(["工资", "安全"], "zh_CN") == "工资、安全"
    clauses = i18n.join_list(["超时 × 2", "已屏蔽 × 1"], "zh_CN", clauses=True)
    assert clauses == "超时 × 2；已屏蔽 × 1"
    assert i18n.join_list(["pay", "safety"], "en") == "pay, safety"


def test_a_date_only_close_time_is_that_day_at_24_00() -> None:
    midnight = datetime(2025, 3, 11, 0, 0, tzinfo=SHANGHAI).timestamp()
    assert i18n.format_until(midnight, "zh_CN", SHANGHAI) == "2025年3月10日 24:00"
    assert i18n.format_until(midnight, "en", SHANGHAI) == "10 Mar 2025, 24:00"
    evening = datetime(2025, 3, 10, 18, 30, tzinfo=SHANGHAI).timestamp()
    assert i18n.format_until(evening, "zh_CN", SHANGHAI) == "2025年3月10日 18:30"


def test_the_time_zone_is_named_as_readers_say_it() -> None:
    assert i18n.zone_label("Asia/Shanghai", "zh_CN") == "北京时间"
    assert i18n.zone_label("Asia/Shanghai", "en") == "Asia/Shanghai"
