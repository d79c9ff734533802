"""Developer tool: add msgids missing from every catalog to one domain's .po files."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.config import SUPPORTED_LOCALES
from bot.i18n import LOCALES_DIR, extract_msgids, load_catalogs


def _po_path(locale: str, domain: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, locale: str, domain: str) -> Catalog:
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=locale, domain=domain)
    return Catalog(locale=locale, domain=domain, project="unionbot", charset="utf-8")


def add_missing(domain: str, only: list[str] | None = None) -> dict[str, int]:
    """Append missing msgids: English gets the msgid itself, zh_CN an empty msgstr to fill.

    `only` restricts to msgids first used in files whose path starts with one of
    the prefixes, so each feature keeps its strings in its own domain file.
    """
    known = load_catalogs()
    source = extract_msgids()
    added: dict[str, int] = {}
    for locale in SUPPORTED_LOCALES:
        path = _po_path(locale, domain)
        catalog = _read(path, locale, domain)
        # Only ids that no catalog of this locale has, counting untranslated ones here.
        present = {str(m.id) for m in catalog if m.id}
        count = 0
        for msgid, where in source.items():
            if msgid in known.get(locale, {}) or msgid in present:
                continue
            if only and not any(where.startswith(prefix) for prefix in only):
                continue
            catalog.add(msgid, msgid if locale == "en" else "", locations=[(where, 0)])
            count += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False, no_location=True)
        added[locale] = count
    return added


def untranslated(domain: str, locale: str = "zh_CN") -> list[str]:
    """msgids of a domain file whose msgstr is still empty."""
    catalog = _read(_po_path(locale, domain), locale, domain)
    return [str(m.id) for m in catalog if m.id and not m.string]


def set_translations(domain: str, locale: str, mapping: dict[str, str]) -> int:
    """Write msgstrs for msgids of a domain file; returns how many were set."""
    path = _po_path(locale, domain)
    catalog = _read(path, locale, domain)
    count = 0
    for message in catalog:
        if message.id and str(message.id) in mapping:
            message.string = mapping[str(message.id)]
            count += 1
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, no_location=True)
    return count


def set_plural(domain: str, singular: str, plural: str, chinese: str) -> None:
    """Add (or replace) a counted message: English singular/plural, one Chinese form."""
    for locale in SUPPORTED_LOCALES:
        path = _po_path(locale, domain)
        catalog = _read(path, locale, domain)
        forms = (singular, plural) if locale == "en" else (chinese,)
        catalog.add((singular, plural), forms, flags=["python-brace-format"])
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False, no_location=True)
