"""Every member-facing string exists in zh_CN and en, with matching placeholders."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot import i18n
from bot.config import SUPPORTED_LOCALES
from bot.i18n import (
    DOMAIN,
    LOCALES_DIR,
    CatalogConflict,
    I18n,
    extract_msgids,
    format_when,
    load_catalogs,
    pick_locale,
    placeholders,
    raw,
)
from bot.i18n_tools import fold_domains


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


def _po_catalogs() -> list[tuple[str, Catalog]]:
    found = []
    for po in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            found.append((po.parent.parent.name, read_po(fh)))
    return found


def test_one_catalog_per_language() -> None:
    for locale in SUPPORTED_LOCALES:
        files = sorted(p.name for p in (LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"))
        assert files == [f"{DOMAIN}.po"], f"{locale}: run python -m bot i18n-fold ({files})"


def test_catalogs_pass_babels_checks() -> None:
    # `pybabel compile` (make translations) stops on these: placeholders, plural counts.
    problems = [
        f"{locale}: {message.id!r}: {errors}"
        for locale, catalog in _po_catalogs()
        for message, errors in catalog.check()
        if errors
    ]
    assert not problems, "\n".join(problems)


def test_plural_forms_headers_and_every_plural_message_has_that_many_forms() -> None:
    wanted = {"zh_CN": 1, "en": 2}
    counted = 0
    for locale, catalog in _po_catalogs():
        assert catalog.num_plurals == wanted[locale], locale
        for message in catalog:
            if isinstance(message.id, tuple | list):
                counted += 1
                assert isinstance(message.string, tuple | list), message.id
                assert len(message.string) == wanted[locale], (locale, message.id)
    assert counted >= 2 * len(wanted)


def _write_po(path: Path, locale: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=locale)
    for msgid, text in messages.items():
        catalog.add(msgid, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)


@pytest.fixture
def two_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """messages.po and a leftover domain file for each locale, agreeing on "Hello"."""
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    for locale in SUPPORTED_LOCALES:
        folder = tmp_path / locale / "LC_MESSAGES"
        _write_po(folder / "messages.po", locale, {"Hello": f"{locale} hello", "A": "a"})
        _write_po(folder / "core.po", locale, {"Hello": f"{locale} hello", "B": "b"})
    return tmp_path


def test_the_same_msgid_in_two_files_must_agree(two_files: Path) -> None:
    assert load_catalogs()["en"] == {"Hello": "en hello", "A": "a", "B": "b"}
    _write_po(two_files / "en" / "LC_MESSAGES" / "core.po", "en", {"Hello": "Hi"})
    with pytest.raises(CatalogConflict, match="Hello"):
        load_catalogs()


def test_fold_moves_domain_files_into_messages_po(two_files: Path) -> None:
    assert len(fold_domains(two_files)) == len(SUPPORTED_LOCALES)
    assert sorted(p.name for p in two_files.glob("*/LC_MESSAGES/*.po")) == ["messages.po"] * 2
    assert load_catalogs()["zh_CN"] == {"Hello": "zh_CN hello", "A": "a", "B": "b"}


def test_fold_refuses_a_msgid_translated_differently(two_files: Path) -> None:
    _write_po(two_files / "en" / "LC_MESSAGES" / "core.po", "en", {"Hello": "Hi"})
    with pytest.raises(CatalogConflict, match="Hello"):
        fold_domains(two_files)


def test_makefile_extracts_with_the_keywords_and_packages_the_code_uses() -> None:
    makefile = (LOCALES_DIR.parents[1] / "Makefile").read_text(encoding="utf-8")
    extract = makefile[makefile.index("$(PYBABEL) extract") :].split("\n\n")[0]
    assert extract.split()[-len(i18n.SOURCE_PACKAGES) :] == list(i18n.SOURCE_PACKAGES)
    line = next(x for x in makefile.splitlines() if x.startswith("KEYWORDS :="))
    flags = line.split(":=", 1)[1].split()
    given = {flags[i + 1] for i, flag in enumerate(flags) if flag == "-k"}
    wanted = {
        name + (":" + ",".join(map(str, spec)) if spec else "")
        for name, spec in i18n.KEYWORDS.items()
    }
    assert "--no-default-keywords" in flags and given == wanted
