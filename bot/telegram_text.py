"""Telegram's HTML formatting: HTML to plain text plus UTF-16 entities, and UTF-16 lengths."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# Telegram's HTML tags and the entity each one produces.
_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPECIAL = re.compile(r"[<&]")
_ENTITY_REF = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]{2,8}));")
# Telegram trims these from both ends of a message after parsing.
_TRIM = " \t\n\r\v\f"


class EntityParseError(ValueError):
    """The text cannot be parsed; str(error) is Telegram's reason after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of a character index, as Telegram's error messages give it."""
    # Telegram reports positions as UTF-8 byte offsets; computed only on the error path.
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the HTML entity at text[i] ('&'); None when it is not one Telegram knows."""
    m = _ENTITY_REF.match(text, i)
    if m is None:
        return None
    dec, hexa, name = m.groups()
    if name is not None:
        ch = _NAMED_ENTITIES.get(name)
        return (ch, m.end()) if ch is not None else None
    code = int(dec, 10) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


@dataclass
class _Open:
    tag: str
    offset: int
    begin: int
    argument: str = ""
    language: str = ""
    children: list[JSON] = field(default_factory=list)


def _is_space(c: str) -> bool:
    return c in " \t\n\r\v\f"


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into (plain text, entities) or raise EntityParseError.

    Mirrors tdlib's parser, including its error messages. With strict_ampersand a bare '&'
    is rejected; real Telegram keeps it literally, but it almost always means a value was
    interpolated without html.escape, which is a bug worth failing loudly on.
    """
    out: list[str] = []
    offset = 0  # UTF-16 offset of the end of `out`
    stack: list[_Open] = []
    entities: list[JSON] = []
    n = len(text)
    i = 0
    while i < n:
        m = _HTML_SPECIAL.search(text, i)
        stop = m.start() if m else n
        if stop > i:
            chunk = text[i:stop]
            out.append(chunk)
            offset += utf16_len(chunk)
            i = stop
            if i >= n:
                break
        if text[i] == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                out.append(decoded[0])
                offset += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Character "&" at byte offset {byte_offset(text, i)} does not start an '
                    'HTML entity; escape it as "&amp;" (sandbox strict mode)'
                )
            out.append("&")
            offset += 1
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            i = _close_tag(text, begin, i + 1, stack, entities, offset)
            continue
        j = i
        while j < n and not _is_space(text[j]) and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
        tag = text[i:j].lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {byte_offset(text, begin)}'
            )
        opened = _Open(tag=tag, offset=offset, begin=begin)
        i = _parse_attributes(text, j, opened)
        if tag == "span" and opened.argument != "spoiler":
            where = byte_offset(text, begin)
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {where}'
            )
        stack.append(opened)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return trim_message("".join(out), entities)


def _parse_attributes(text: str, i: int, opened: _Open) -> int:
    """Read the attributes of a start tag from text[i]; return the index after '>'."""
    n = len(text)
    tag = opened.tag
    where = byte_offset(text, opened.begin)
    while True:
        while i < n and _is_space(text[i]):
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {where}')
        if text[i] == ">":
            return i + 1
        start = i
        while i < n and not _is_space(text[i]) and text[i] not in "=>":
            i += 1
        name = text[start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {where}'
            )
        while i < n and _is_space(text[i]):
            i += 1
        if tag == "blockquote" and name == "expandable" and (i >= n or text[i] != "="):
            opened.argument = "expandable"
            continue
        if i >= n or text[i] != "=":
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {where}'
            )
        i += 1
        while i < n and _is_space(text[i]):
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {where}')
        value_chars: list[str] = []
        if text[i] in "'\"":
            quote = text[i]
            i += 1
            while i < n and text[i] != quote:
                if text[i] == "&":
                    decoded = _decode_entity(text, i)
                    if decoded is not None:
                        value_chars.append(decoded[0])
                        i = decoded[1]
                        continue
                value_chars.append(text[i])
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {where}")
            i += 1
        else:
            token_start = i
            while i < n and (text[i].isalnum() or text[i] in ".-_"):
                value_chars.append(text[i])
                i += 1
            if i >= n or not (_is_space(text[i]) or text[i] == ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {byte_offset(text, token_start)}"
                )
        value = "".join(value_chars)
        if tag == "a" and name == "href":
            opened.argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            opened.argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            opened.argument = value[3:]
        elif tag == "tg-emoji" and name == "emoji-id":
            opened.argument = value


def _close_tag(
    text: str, begin: int, i: int, stack: list[_Open], entities: list[JSON], offset: int
) -> int:
    """Handle an end tag starting at text[begin]; return the index after '>'."""
    n = len(text)
    where = byte_offset(text, begin)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {where}")
    start = i
    while i < n and not _is_space(text[i]) and text[i] != ">":
        i += 1
    name = text[start:i].lower()
    while i < n and _is_space(text[i]):
        i += 1
    if i >= n or text[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {where}")
    opened = stack.pop()
    if name and name != opened.tag:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {where}, expected "</{opened.tag}>", '
            f'found "</{name}>"'
        )
    length = offset - opened.offset
    if length > 0:
        kind = _HTML_TAGS[opened.tag]
        entity: JSON = {"type": kind, "offset": opened.offset, "length": length}
        if kind == "text_link":
            if not opened.argument:
                return i + 1  # Telegram drops links without a usable URL
            if opened.argument.startswith("tg://user?id="):
                entity = {**entity, "type": "text_mention"}
            entity["url"] = opened.argument
        elif kind == "code" and stack and stack[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            stack[-1].language = opened.argument
            return i + 1
        elif kind == "pre" and opened.language:
            entity["language"] = opened.language
        elif kind == "blockquote" and opened.argument == "expandable":
            entity["type"] = "expandable_blockquote"
        elif kind == "custom_emoji":
            if not opened.argument:
                return i + 1
            entity["custom_emoji_id"] = opened.argument
        entities.append(entity)
    return i + 1


def trim_message(plain: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip surrounding whitespace as Telegram does, shifting and clipping entities."""
    stripped = plain.strip(_TRIM)
    if stripped == plain:
        entities.sort(key=_entity_key)
        return plain, entities
    lead = utf16_len(plain[: len(plain) - len(plain.lstrip(_TRIM))])
    total = utf16_len(stripped)
    kept: list[JSON] = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            kept.append({**e, "offset": start, "length": end - start})
    kept.sort(key=_entity_key)
    return stripped, kept


def _entity_key(e: JSON) -> tuple[int, int, str]:
    return (e["offset"], -e["length"], e["type"])
