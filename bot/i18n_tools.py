"""Fold per-feature domain catalogs (core.po, events.po, …) into each language's messages.po.

Catalogs were one domain per feature until they became one catalog per language; a
branch made before that still adds to a domain file. `python -m bot i18n-fold` moves
such files' messages into messages.po and deletes them, refusing a msgid that two files
translate differently. Everything else is Babel's own CLI (see the Makefile).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.config import SUPPORTED_LOCALES
from bot.i18n import DOMAIN, LOCALES_DIR, CatalogConflict


def _read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def fold_domains(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Merge every other .po of a language into its messages.po; the files folded."""
    folded: list[Path] = []
    for locale in SUPPORTED_LOCALES:
        folder = locales_dir / locale / "LC_MESSAGES"
        target = folder / f"{DOMAIN}.po"
        others = sorted(p for p in folder.glob("*.po") if p != target)
        if not others:
            continue
        catalog = _read(target if target.exists() else others[0], locale)
        # A fuzzy header makes `pybabel compile` skip the whole catalog.
        catalog.fuzzy = False
        for po in others:
            for message in _read(po, locale):
                if not message.id:
                    continue  # the header
                known = catalog.get(message.id)
                translated = known is not None and known.string and message.string
                if translated and known is not None and known.string != message.string:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    raise CatalogConflict(f"{locale}: {key!r} differs in {po.name}")
                if known is None or not known.string:
                    catalog[message.id] = message
        with target.open("wb") as fh:
            write_po(fh, catalog, width=0, no_location=True)
        for po in others:
            po.unlink()
            po.with_suffix(".mo").unlink(missing_ok=True)
        folded.extend(others)
    return folded
