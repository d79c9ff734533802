"""Item 19: English counts agree with their nouns (gettext plural forms in both catalogs)."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.i18n import I18n, placeholders

# The counted phrases the issue found wrong in English ("+1 points", "1 days", "1 members").
PLURALS = (
    ("✅ Marked as studied. +{points} point.", "✅ Marked as studied. +{points} points.", "points"),
    ("{days} day", "{days} days", "days"),
    ("🔔 Reminder queued for {count} member.", "🔔 Reminder queued for {count} members.", "count"),
)


@pytest.mark.parametrize(("singular", "plural", "name"), PLURALS)
def test_english_uses_the_singular_for_one_and_chinese_has_one_form(
    singular: str, plural: str, name: str
) -> None:
    catalogs = I18n.load()
    en, zh = catalogs.bind("en"), catalogs.bind("zh_CN")
    one = en.ngettext(singular, plural, 1, **{name: 1})
    many = en.ngettext(singular, plural, 3, **{name: 3})
    assert one == singular.format(**{name: 1}) and many == plural.format(**{name: 3})
    chinese = {zh.ngettext(singular, plural, n, **{name: n}).replace(str(n), "N") for n in (1, 3)}
    assert len(chinese) == 1 and not chinese.pop().isascii()


def test_every_plural_in_the_source_is_translated_with_matching_placeholders() -> None:
    found = i18n.extract_plurals()
    assert len(found) >= len(PLURALS)
    tables = i18n.load_plurals()
    for singular, plural in found:
        wanted = placeholders(singular) | placeholders(plural)
        for locale in ("zh_CN", "en"):
            forms = tables[locale].get(singular)
            assert forms and all(f for f in forms), (locale, singular)
            assert all(placeholders(f) <= wanted for f in forms), (locale, singular)
