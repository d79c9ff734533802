"""What a broadcast sends: the stored payload and the messages one recipient gets."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import I18n

#: Callback namespace of the engine's own buttons: `dl:ack:<broadcast_id>`.
ACK_NS = "dl"

LocalText = str | dict[str, str]

@dataclass(frozen=True)
class Payload:
    """What a broadcast sends; JSON-serialisable, stored with the broadcast.

    `text` is Telegram HTML, or a dict locale -> HTML chosen per recipient. With
    a photo or document the text is its caption. `continued` holds follow-up
    messages (a long text split at paragraphs), sent in order to each recipient.
    """

    text: LocalText
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    photo: str | None = None
    document: str | None = None
    ack: bool = False
    continued: list[LocalText] = field(default_factory=list)

    def to_json(self) -> str:
        """Serialise for the broadcasts table."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Payload:
        """Read what to_json wrote."""
        data = json.loads(raw)
        return cls(
            text=data["text"],
            buttons=data.get("buttons") or [],
            photo=data.get("photo"),
            document=data.get("document"),
            ack=bool(data.get("ack")),
            continued=data.get("continued") or [],
        )

    def check(self) -> None:
        """Raise ValueError for a payload Telegram would refuse for every recipient."""
        if self.photo and self.document:
            raise ValueError("a payload carries a photo or a document, not both")
        texts = [self.text, *self.continued]
        for text in texts:
            values = text.values() if isinstance(text, dict) else [text]
            if not values or not all(isinstance(v, str) for v in values):
                raise ValueError("text must be a string or a dict of locale -> string")
        if not (self.photo or self.document) and not pick(self.text, "", ""):
            raise ValueError("a message needs text")
        for row in self.buttons:
            for spec in row:
                if "data" in spec:
                    data = str(spec["data"]).replace("{broadcast_id}", "9" * 12)
                    if not 1 <= len(data.encode()) <= 64:
                        raise ValueError(f"callback data must be 1-64 bytes: {spec['data']!r}")
                elif "url" not in spec:
                    raise ValueError("a button needs 'data' or 'url'")


def pick(text: LocalText, locale: str, default: str) -> str:
    """The recipient's variant of a text: their locale, else the default, else any."""
    if isinstance(text, str):
        return text
    return text.get(locale) or text.get(default) or next(iter(text.values()), "")


@dataclass(frozen=True, slots=True)
class Part:
    """One message to send: text (or caption), optional media, optional keyboard."""

    text: str
    media: tuple[str, str] | None
    markup: InlineKeyboardMarkup | None


def render(
    payload: Payload, broadcast_id: int, locale: str, i18n: I18n, default: str = "zh_CN"
) -> list[Part]:
    """The messages one recipient gets, in order; buttons go on the last one."""
    _ = i18n.bind(locale)
    layout: list[list[InlineKeyboardButton]] = []
    for row in payload.buttons:
        buttons: list[InlineKeyboardButton] = []
        for spec in row:
            label = pick(spec.get("label", ""), locale, default)
            if "data" in spec:
                data = str(spec["data"]).replace("{broadcast_id}", str(broadcast_id))
                buttons.append(InlineKeyboardButton(label, callback_data=data))
            else:
                buttons.append(InlineKeyboardButton(label, url=str(spec["url"])))
        if buttons:
            layout.append(buttons)
    if payload.ack:
        layout.append(
            [InlineKeyboardButton(_("✅ Acknowledge"), callback_data=ack_data(broadcast_id))]
        )
    markup = InlineKeyboardMarkup(layout) if layout else None
    media: tuple[str, str] | None = None
    if payload.photo:
        media = ("photo", payload.photo)
    elif payload.document:
        media = ("document", payload.document)
    texts = [pick(t, locale, default) for t in (payload.text, *payload.continued)]
    parts = [Part(texts[0], media, None)]
    parts += [Part(t, None, None) for t in texts[1:] if t]
    last = parts[-1]
    parts[-1] = Part(last.text, last.media, markup)
    return parts


def ack_data(broadcast_id: int) -> str:
    """Callback data of the acknowledge button."""
    return f"{ACK_NS}:ack:{broadcast_id}"
