"""Every member-facing string exists in zh_CN and en, with matching placeholders."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.config import SUPPORTED_LOCALES
from bot.i18n import (
    LOCALES_DIR,
    I18n,
    extract_msgids,
    format_when,
    load_catalogs,
    pick_locale,
    placeholders,
    raw,
)


@pytest.fixture(scope="module")
def catalogs() -> dict[str, dict[str, str]]:
    return load_catalogs()


def test_every_source_string_is_translated_in_every_locale(
    catalogs: dict[str, dict[str, str]],
) -> None:
    missing = [
        f"{locale}: {where}: {msgid!r}"
        for msgid, where in extract_msgids().items()
        for locale in SUPPORTED_LOCALES
        if msgid not in catalogs[locale]
    ]
    assert not missing, "untranslated strings:\n" + "\n".join(missing)


def test_placeholders_match_between_msgid_and_translation(
    catalogs: dict[str, dict[str, str]],
) -> None:
    wrong = [
        f"{locale}: {msgid!r} -> {text!r}"
        for locale, table in catalogs.items()
        for msgid, text in table.items()
        if placeholders(msgid) != placeholders(text)
    ]
    assert not wrong, "placeholder mismatch:\n" + "\n".join(wrong)


def test_catalog_files_exist_for_both_locales() -> None:
    for locale in SUPPORTED_LOCALES:
        assert list((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")), locale


def test_chinese_is_default_and_english_on_request() -> None:
    i18n = I18n.load()
    assert i18n.bind(None)("Main menu") == "主菜单"
    assert i18n.bind("en")("Main menu") == "Main menu"
    assert pick_locale("zh-hans") == "zh_CN"
    assert pick_locale("en-GB") == "en"
    assert pick_locale("de") == "zh_CN"


def test_placeholder_values_are_html_escaped_unless_raw() -> None:
    _ = I18n.load().bind("en")
    assert _("Name: {name}", name="<b>Bob & Co</b>") == "Name: &lt;b&gt;Bob &amp; Co&lt;/b&gt;"
    assert _("Name: {name}", name=raw("<i>x</i>")) == "Name: <i>x</i>"


def test_dates_use_chinese_format_in_the_member_zone() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    moment = 1772413200.0  # 2026-03-02 01:00 UTC
    assert format_when(moment, "zh_CN", shanghai) == "2026年3月2日 09:00"
    assert format_when(moment, "en", shanghai) == "2 Mar 2026, 09:00"
