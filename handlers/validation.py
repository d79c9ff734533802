"""Pure checks of what people type (names, numbers, free text), with translatable errors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.i18n import N_, Translate, raw, zone_label

MAX_NAME = 64
_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why typed input was refused: a msgid and its placeholders."""

    msgid: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self, _: Translate) -> str:
        """The message in the reader's language (a `zone` named as the reader says it)."""
        # A nested Problem (a reason inside a refusal) is rendered in the same language.
        params = {
            k: raw(v.render(_)) if isinstance(v, Problem) else v for k, v in self.params.items()
        }
        if "zone" in params:
            params["zone"] = zone_label(str(params["zone"]), _.locale)
        return _(self.msgid, **params)


def _has_control(text: str, allowed: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def clean_name(raw: str | None) -> str | Problem:
    """A display name: 1-64 visible characters, no control characters."""
    if raw is None:
        return Problem(N_("Please send your name as text."))
    if _has_control(raw.strip(), ""):
        return Problem(N_("The name contains control characters. Please type it again."))
    name = " ".join(raw.split())
    if not [c for c in name if unicodedata.category(c) not in ("Zs", "Cf", "Mn")]:
        return Problem(N_("The name is empty. Please send your name."))
    if len(name) > MAX_NAME:
        return Problem(
            N_("The name is too long ({length} characters, at most {limit}). Please shorten it."),
            {"length": len(name), "limit": MAX_NAME},
        )
    return name


def clean_employee_no(raw: str | None) -> str | Problem:
    """An employee number: 1-32 letters, digits, '-' or '_'."""
    value = (raw or "").strip()
    if not _EMPLOYEE_NO.match(value):
        return Problem(
            N_("An employee number has 1 to 32 letters, digits, '-' or '_'. Please try again.")
        )
    return value


def clean_text(raw: str | None, max_len: int) -> str | Problem:
    """Free text: trimmed, non-empty, bounded, no control characters but newlines."""
    if raw is None:
        return Problem(N_("Please send text."))
    text = raw.strip()
    if not text:
        return Problem(N_("The text is empty. Please send some text."))
    if _has_control(text, "\n\t"):
        return Problem(N_("The text contains control characters. Please type it again."))
    if len(text) > max_len:
        return Problem(
            N_("The text is too long ({length} characters, at most {limit}). Please shorten it."),
            {"length": len(text), "limit": max_len},
        )
    return text
