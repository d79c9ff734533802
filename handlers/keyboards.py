"""Pure keyboard builders and the callback-data codec (routing never uses labels)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

#: Telegram's limit on callback_data, in bytes.
MAX_CALLBACK_BYTES = 64
_SEP = ":"


class CallbackTooLong(ValueError):
    """Encoded data would exceed Telegram's 64-byte limit."""


@dataclass(frozen=True, slots=True)
class Cb:
    """Decoded callback data: namespace, action and string arguments."""

    ns: str
    action: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        """Serialise as ns:action:arg1:..., refusing anything Telegram would reject."""
        for part in (self.ns, self.action, *self.args):
            if _SEP in part:
                raise ValueError(f"callback part contains {_SEP!r}: {part!r}")
        data = _SEP.join((self.ns, self.action, *self.args))
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise CallbackTooLong(data)
        return data

    @classmethod
    def decode(cls, data: str | None) -> Cb | None:
        """Parse callback data; None for anything malformed (forged or foreign)."""
        if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
            return None
        parts = data.split(_SEP)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            return None
        return cls(parts[0], parts[1], tuple(parts[2:]))

    def int_arg(self, index: int) -> int | None:
        """Argument as an int, or None when missing or not a number (forged data)."""
        if index >= len(self.args):
            return None
        raw = self.args[index]
        if not raw.lstrip("-").isdigit() or len(raw) > 18:
            return None
        return int(raw)


def cb(ns: str, action: str, *args: object) -> str:
    """Encode callback data from parts."""
    return Cb(ns, action, tuple(str(a) for a in args)).encode()


def button(label: str, data: str) -> InlineKeyboardButton:
    """One callback button."""
    return InlineKeyboardButton(label, callback_data=data)


def url_button(label: str, url: str) -> InlineKeyboardButton:
    """One link button."""
    return InlineKeyboardButton(label, url=url)


def rows(*rows_: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """A keyboard from explicit rows, dropping empty ones."""
    return InlineKeyboardMarkup([list(r) for r in rows_ if r])


def column(buttons: Iterable[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """One button per row: easiest to hit on a phone with long Chinese labels."""
    return [[b] for b in buttons]


def grid(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Buttons in rows of `width` (for short labels such as numbers)."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def paginate(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """Clamp a page number; return (page, start, end) for slicing."""
    pages = max(1, (total + per_page - 1) // per_page)
    page = min(max(page, 0), pages - 1)
    start = page * per_page
    return page, start, min(total, start + per_page)


def keyboard(layout: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """Wrap a layout, dropping empty rows."""
    return InlineKeyboardMarkup([r for r in layout if r])
