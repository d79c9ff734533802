"""gettext catalogs (zh_CN default, en) and the per-person translate function."""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Protocol, TypeVar

from babel.dates import format_datetime
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LOCALES

LOCALES_DIR = Path(__file__).parent / "locales"
#: One catalog per language: bot/locales/<locale>/LC_MESSAGES/messages.po.
DOMAIN = "messages"
#: Packages scanned for translatable strings: `_("...")`, `N_("...")` and
#: `_.ngettext("one ...", "many ...", n)` (counted messages with gettext plural forms).
#: The Makefile's `extract` passes the same keywords to pybabel.
SOURCE_PACKAGES: tuple[str, ...] = ("bot", "handlers", "surveys", "storage")
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "ngettext": (1, 2)}
_T = TypeVar("_T")
_PLACEHOLDER = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)[^{}]*\}(?!\})")


class Html(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def raw(value: object) -> Html:
    """Insert a value unescaped: it is already HTML, or it goes into a button label."""
    return Html(str(value))


class Translate(Protocol):
    """`_("msgid", name=value)`: translate, then fill placeholders (escaped)."""

    @property
    def locale(self) -> str:
        """The locale this function translates into."""

    def __call__(self, msgid: str, /, **params: object) -> str:
        """Return the translated, formatted text."""

    def ngettext(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        """The form of the message for `count` (gettext plural rules), formatted."""


class CatalogConflict(ValueError):
    """A msgid that two catalog files of one language translate differently."""


def placeholders(text: str) -> set[str]:
    """The named `{placeholders}` in a message, for catalog checks."""
    return set(_PLACEHOLDER.findall(text))


def pick_locale(language_code: str | None, default: str = SUPPORTED_LOCALES[0]) -> str:
    """Map Telegram's language_code to a supported locale (Chinese variants → zh_CN)."""
    if not language_code:
        return default
    code = language_code.lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh_CN"
    if code.startswith("en"):
        return "en"
    return default


def _po_files(locale: str) -> list[Path]:
    # messages.po, plus any domain file a branch from before the fold still adds
    # (python -m bot i18n-fold moves those in); duplicates must agree.
    return sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"))


def _read_catalog(po: Path) -> Catalog:
    """Prefer the compiled .mo when it is fresh; fall back to the .po source."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return read_mo(fh)
    with po.open("rb") as fh:
        return read_po(fh)


def _merge(merged: dict[str, _T], key: str, value: _T, where: str) -> None:
    """Add one translation, refusing a msgid another file translates differently."""
    if merged.setdefault(key, value) != value:
        raise CatalogConflict(f"{where}: {key!r} is translated differently in another file")


def load_catalogs(locales: Iterable[str] = SUPPORTED_LOCALES) -> dict[str, dict[str, str]]:
    """msgid → msgstr for each locale (CatalogConflict when two files disagree)."""
    out: dict[str, dict[str, str]] = {}
    for locale in locales:
        merged: dict[str, str] = {}
        for po in _po_files(locale):
            for message in _read_catalog(po):
                usable = isinstance(message.id, str) and isinstance(message.string, str)
                if usable and message.id and message.string and not message.fuzzy:
                    _merge(merged, str(message.id), str(message.string), f"{locale}/{po.name}")
        out[locale] = merged
    return out


def load_plurals(
    locales: Iterable[str] = SUPPORTED_LOCALES,
) -> dict[str, dict[str, tuple[str, ...]]]:
    """singular msgid → translated plural forms for each locale (CatalogConflict as above)."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for locale in locales:
        merged: dict[str, tuple[str, ...]] = {}
        for po in _po_files(locale):
            for message in _read_catalog(po):
                ids, forms = message.id, message.string
                if not isinstance(ids, tuple | list) or not isinstance(forms, tuple | list):
                    continue  # a singular message (load_catalogs)
                if all(forms) and not message.fuzzy:
                    value = tuple(str(f) for f in forms)
                    _merge(merged, str(ids[0]), value, f"{locale}/{po.name}")
        out[locale] = merged
    return out


def plural_rule(locale: str) -> Callable[[int], int]:
    """Which plural form a count takes in a locale (0 always in Chinese)."""
    rule: Callable[[int], int] = gettext.c2py(get_plural(locale).plural_expr)
    return rule


def compile_catalogs() -> int:
    """`pybabel compile` every language's catalog to .mo; Babel's exit status (0: fine).

    `make translations` runs pybabel itself; this is for installs without make
    (`unionbot compile-translations`, docs/deploy.md).
    """
    from babel.messages.frontend import CommandLineInterface  # the CLI, only when compiling

    argv = ["pybabel", "compile", "--statistics", "-d", str(LOCALES_DIR), "-D", DOMAIN]
    status: int | None = CommandLineInterface().run(argv)  # type: ignore[no-untyped-call]
    return status or 0


def extract_plurals(root: Path | None = None) -> dict[tuple[str, str], str]:
    """Every (singular, plural) pair used with ngettext, mapped to its first location."""
    base = root or Path(__file__).resolve().parent.parent
    found: dict[tuple[str, str], str] = {}
    for package in SOURCE_PACKAGES:
        method_map = [("**/sandbox/**.py", "ignore"), ("**.py", "python")]
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(base / package), method_map=method_map, keywords=KEYWORDS, comment_tags=()
        ):
            if isinstance(message, tuple) and len(message) == 2 and all(message):
                pair = (str(message[0]), str(message[1]))
                found.setdefault(pair, f"{package}/{filename}:{lineno}")
    return found


def extract_msgids(root: Path | None = None) -> dict[str, str]:
    """Every msgid used in the source, mapped to its first location."""
    base = root or Path(__file__).resolve().parent.parent
    found: dict[str, str] = {}
    for package in SOURCE_PACKAGES:
        folder = base / package
        method_map = [("**/sandbox/**.py", "ignore"), ("**.py", "python")]
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map=method_map, keywords=KEYWORDS, comment_tags=()
        ):
            if isinstance(message, str):
                found.setdefault(message, f"{package}/{filename}:{lineno}")
    return found


@dataclass(frozen=True, slots=True)
class _Bound:
    """A translate function bound to one locale."""

    locale: str
    table: dict[str, str]
    plurals: dict[str, tuple[str, ...]]
    rule: Callable[[int], int]

    def __call__(self, msgid: str, /, **params: object) -> str:
        # A translation is HTML (values escaped below): marked as such, it goes into
        # another message's placeholder as it is instead of being escaped twice.
        return self._format(self.table.get(msgid, msgid), params)

    def ngettext(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        forms = self.plurals.get(singular)
        if forms:
            text = forms[min(self.rule(count), len(forms) - 1)]
        else:  # not translated yet: English rules
            text = singular if count == 1 else plural
        return self._format(text, params)

    @staticmethod
    def _format(text: str, params: dict[str, object]) -> Html:
        if not params:
            return Html(text)
        # Values are escaped because every message is sent with parse_mode HTML
        # and names or free text from members must never become markup.
        safe = {
            k: v if isinstance(v, Html) else html.escape(str(v), quote=False)
            for k, v in params.items()
        }
        return Html(text.format(**safe))


class I18n:
    """All catalogs in memory; hands out translate functions per locale."""

    def __init__(
        self,
        catalogs: dict[str, dict[str, str]],
        default: str = "zh_CN",
        plurals: dict[str, dict[str, tuple[str, ...]]] | None = None,
    ) -> None:
        self._catalogs = catalogs
        self.default = default
        forms = plurals or {}
        self._bound = {
            loc: _Bound(loc, table, forms.get(loc, {}), plural_rule(loc))
            for loc, table in catalogs.items()
        }

    @classmethod
    def load(cls, default: str = "zh_CN") -> I18n:
        """Read the catalogs shipped in bot/locales."""
        return cls(load_catalogs(), default, load_plurals())

    def bind(self, locale: str | None) -> Translate:
        """The translate function for a locale (default when unknown)."""
        return self._bound.get(locale or self.default) or self._bound[self.default]

    def locales(self) -> Iterator[str]:
        """Locales with a catalog."""
        return iter(self._catalogs)


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return msgid


_DATETIME_PATTERNS = {"zh_CN": "y年M月d日 HH:mm", "en": "d MMM y, HH:mm"}
_DATE_PATTERNS = {"zh_CN": "y年M月d日", "en": "d MMM y"}


def format_when(moment: float | datetime, locale: str, tz: tzinfo) -> str:
    """A date and time in the member's zone, Chinese style for zh_CN (2026年3月2日 09:00)."""
    dt = moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, UTC)
    pattern = _DATETIME_PATTERNS.get(locale, _DATETIME_PATTERNS["en"])
    return format_datetime(dt, pattern, tzinfo=tz, locale=locale)


def join_list(items: Iterable[object], locale: str, *, clauses: bool = False) -> str:
    """Join list items in a sentence: 、 (； between clauses) in Chinese, ", " ("; ") in English."""
    marks = {"zh_CN": ("、", "；")}.get(locale, (", ", "; "))
    mark = marks[1] if clauses else marks[0]
    return mark.join(str(item) for item in items)


#: Time zones with the name Chinese readers use for them (docs/glossary.md).
_ZONE_NAMES_ZH = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "PRC": "北京时间"}


def zone_label(zone: str, locale: str) -> str:
    """How a time zone is named in a sentence: 北京时间 in Chinese, the tz name in English."""
    if locale == "zh_CN":
        return _ZONE_NAMES_ZH.get(zone, f"时区 {zone}")
    return zone


def format_until(moment: float | datetime, locale: str, tz: tzinfo) -> str:
    """A deadline: midnight is the end of the day before (3月10日 24:00, not 3月11日 00:00)."""
    dt = moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, UTC)
    local = dt.astimezone(tz)
    if (local.hour, local.minute, local.second) != (0, 0, 0):
        return format_when(dt, locale, tz)
    day = format_day(local - timedelta(days=1), locale, tz)
    return f"{day} 24:00" if locale == "zh_CN" else f"{day}, 24:00"


def format_day(moment: float | datetime, locale: str, tz: tzinfo) -> str:
    """A date only (2026年3月2日), for deadlines and coarse times."""
    dt = moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, UTC)
    pattern = _DATE_PATTERNS.get(locale, _DATE_PATTERNS["en"])
    return format_datetime(dt, pattern, tzinfo=tz, locale=locale)
