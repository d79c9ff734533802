"""What the bot last put on each message it edits: never send an edit that changes nothing."""

from __future__ import annotations

import json
from collections import OrderedDict

from telegram import InlineKeyboardMarkup, Message

from bot.telegram_text import EntityParseError, parse_html

#: (plain text, entities, keyboard) as Telegram compares them for "message is not modified".
ScreenKey = tuple[str, str, str]


def screen_key(html: str, markup: InlineKeyboardMarkup | None) -> ScreenKey | None:
    """How Telegram would store this HTML text and keyboard (None: let Telegram judge the HTML)."""
    try:
        plain, entities = parse_html(html)
    except EntityParseError:
        return None
    return plain, _dump(entities), _dump(markup.to_dict() if markup is not None else None)


def message_key(message: Message) -> ScreenKey:
    """What a message the bot received in an update shows."""
    entities = [e.to_dict() for e in message.entities]
    keyboard = message.reply_markup.to_dict() if message.reply_markup is not None else None
    return message.text or "", _dump(entities), _dump(keyboard)


def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class ScreenMemory:
    """The last content of recently edited messages, per chat and message id.

    A press carries the message as it was when pressed; a second tap that arrives
    before the first one's edit carries the old content. Remembering what we put
    there ourselves catches that case too. Bounded: old screens are forgotten.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._shown: OrderedDict[tuple[int, int], ScreenKey] = OrderedDict()

    def shows(self, chat_id: int, message_id: int, key: ScreenKey) -> bool:
        """Whether the message already shows exactly this content (as far as we know)."""
        return self._shown.get((chat_id, message_id)) == key

    def remember(self, chat_id: int, message_id: int, key: ScreenKey | None) -> None:
        """Note what a message now shows (None: unknown, forget it)."""
        slot = (chat_id, message_id)
        self._shown.pop(slot, None)
        if key is None:
            return
        self._shown[slot] = key
        while len(self._shown) > self._size:
            self._shown.popitem(last=False)
