"""Every msgid in the catalogs is still used by the code: no stale translations linger."""

from __future__ import annotations

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, extract_msgids, extract_plurals


def test_every_catalog_msgid_is_used_in_the_code() -> None:
    # The rule: a msgid counts as used when Babel extracts it from the source (through
    # _, N_ or ngettext), as the catalogs were built. A text only composed at run time
    # (from YAML or data) must be marked with N_() where it is defined to be translated.
    used = set(extract_msgids()) | {singular for singular, _plural in extract_plurals()}
    stale = []
    for po in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id:
                continue  # the header
            msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
            if msgid not in used:
                stale.append(f"{po.relative_to(LOCALES_DIR)}: {msgid[:70]}")
    assert stale == [], "msgids no code uses:\n" + "\n".join(stale)
