"""Telegram's checks on what a message carries: formatted text, captions, reply markup."""

from __future__ import annotations

import re

from bot.sandbox.markdown import parse_text
from bot.sandbox.models import ApiError
from bot.sandbox.params import Params, opt_json, opt_str
from bot.sandbox.state import JSON, MAX_CALLBACK_DATA, MAX_CAPTION
from bot.telegram_text import EntityParseError, utf16_len


def parse_entities(
    text: str, p: Params, mode_key: str, entities_key: str, *, strict_html: bool
) -> tuple[str, list[JSON]]:
    """(plain text, entities) by parse_mode, or the explicit entities without one."""
    parse_mode = opt_str(p, mode_key)
    entities = None
    if not parse_mode:
        raw = opt_json(p, entities_key, "entities")
        if raw is not None and not isinstance(raw, list):
            raise ApiError(400, "Bad Request: can't parse entities JSON object")
        entities = raw
    try:
        return parse_text(text, parse_mode, entities, strict_ampersand=strict_html)
    except EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    except ValueError:
        raise ApiError(400, "Bad Request: unsupported parse_mode") from None


def caption(p: Params, *, strict_html: bool) -> tuple[str, str | None, list[JSON]]:
    """(plain caption, caption as sent, entities); empty when there is none."""
    raw = p.get("caption")
    if raw is None or raw == "":
        return "", None, []
    text = str(raw)
    plain, entities = parse_entities(
        text, p, "parse_mode", "caption_entities", strict_html=strict_html
    )
    if utf16_len(plain) > MAX_CAPTION:
        raise ApiError(400, "Bad Request: message caption is too long")
    return plain, text, entities


def reply_markup(p: Params) -> tuple[JSON | None, JSON | None]:
    """(inline keyboard, other keyboard) from reply_markup, validated like Telegram."""
    raw = opt_json(p, "reply_markup", "reply keyboard markup")
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in raw:
        if {"keyboard", "remove_keyboard", "force_reply"} & raw.keys():
            return None, raw
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = raw["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ApiError(
            400,
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
            "should be an Array of Arrays",
        )
    clean_rows = [[_button(button) for button in row] for row in rows]
    if sum(len(row) for row in clean_rows) > 100:
        raise ApiError(400, "Bad Request: reply markup is too long")
    return {"inline_keyboard": clean_rows}, None


def _button(button: object) -> JSON:
    if not isinstance(button, dict):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button")
    b = {k: v for k, v in button.items() if v is not None}
    if not isinstance(b.get("text"), str) or not b["text"]:
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: Text must be non-empty",
        )
    if "callback_data" in b:
        data = b["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    elif "url" in b:
        url = b["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
            raise ApiError(
                400,
                f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL",
            )
    elif len(b) == 1:
        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    return b
