"""Telegram's Markdown and MarkdownV2 as the sandbox parses them (the bot itself sends HTML)."""

from __future__ import annotations

from typing import Any

from bot.telegram_text import EntityParseError, byte_offset, parse_html, trim_message, utf16_len

JSON = dict[str, Any]


# --- MarkdownV2 -------------------------------------------------------------------------

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}
_MDV2_MARKERS = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram MarkdownV2 into (plain text, entities) or raise EntityParseError."""
    out: list[str] = []
    offset = 0
    stack: list[tuple[str, int, int]] = []  # (entity type, utf16 offset, source index)
    entities: list[JSON] = []
    n = len(text)
    i = 0
    quote_start: int | None = None  # utf16 offset where the current '>' blockquote began
    at_line_start = True

    def emit(s: str) -> None:
        nonlocal offset
        out.append(s)
        offset += utf16_len(s)

    while i < n:
        c = text[i]
        if at_line_start:
            at_line_start = False
            if c == ">" and not stack:
                if quote_start is None:
                    quote_start = offset
                i += 1
                continue
            if quote_start is not None:
                _close_quote(entities, quote_start, offset)
                quote_start = None
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        top = stack[-1][0] if stack else ""
        if top in ("code", "pre"):
            closing = "```" if top == "pre" else "`"
            if text.startswith(closing, i):
                kind, start, _src = stack.pop()
                if offset > start:
                    entities.append({"type": kind, "offset": start, "length": offset - start})
                i += len(closing)
            else:
                emit(c)
                i += 1
            continue
        if c == "\n":
            emit(c)
            i += 1
            at_line_start = True
            continue
        if c not in _MDV2_RESERVED:
            emit(c)
            i += 1
            continue
        marker = text[i : i + 2] if text[i : i + 2] in ("__", "||") else c
        mk = _MDV2_MARKERS.get(marker)
        if mk is not None:
            if stack and stack[-1][0] == mk:
                _kind, start, _src = stack.pop()
                if offset > start:
                    entities.append({"type": mk, "offset": start, "length": offset - start})
            else:
                if any(s[0] == mk for s in stack):
                    raise EntityParseError(
                        f"Can't find end of {_MDV2_NAMES[mk]} entity at byte offset "
                        f"{byte_offset(text, next(s[2] for s in stack if s[0] == mk))}"
                    )
                stack.append((mk, offset, i))
            i += len(marker)
            continue
        if c == "`":
            if text.startswith("```", i):
                end_line = text.find("\n", i + 3)
                # The first line after ``` names the language when it has no spaces.
                lang = text[i + 3 : end_line] if end_line != -1 else ""
                if end_line != -1 and lang and " " not in lang and "`" not in lang:
                    i = end_line + 1
                else:
                    i += 3
                stack.append(("pre", offset, i))
            else:
                stack.append(("code", offset, i))
                i += 1
            continue
        if c == "[":
            stack.append(("text_link", offset, i))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "text_link":
            _kind, start, _src = stack.pop()
            i += 1
            if i < n and text[i] == "(":
                url_chars: list[str] = []
                i += 1
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n:
                        i += 1
                    url_chars.append(text[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {byte_offset(text, i)}"
                    )
                i += 1
                url = "".join(url_chars)
                if offset > start and url:
                    entities.append(
                        {"type": "text_link", "offset": start, "length": offset - start, "url": url}
                    )
            continue
        raise EntityParseError(
            f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
        )
    if stack:
        kind, _start, src = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {byte_offset(text, src)}"
        )
    if quote_start is not None:
        _close_quote(entities, quote_start, offset)
    return trim_message("".join(out), entities)


def _close_quote(entities: list[JSON], start: int, end: int) -> None:
    if end > start:
        entities.append({"type": "blockquote", "offset": start, "length": end - start})


# --- legacy Markdown ----------------------------------------------------------------------

_MD_MARKERS = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram's legacy Markdown into (plain text, entities) or raise EntityParseError."""
    out: list[str] = []
    offset = 0
    entities: list[JSON] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            offset += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            offset += utf16_len(c)
            i += 1
            continue
        begin = i
        if c == "`" and text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise EntityParseError(
                    "Can't find end of the entity starting at byte offset "
                    f"{byte_offset(text, begin)}"
                )
            body = text[i + 3 : end]
            out.append(body)
            if body:
                entities.append({"type": "pre", "offset": offset, "length": utf16_len(body)})
            offset += utf16_len(body)
            i = end + 3
            continue
        if c == "[":
            close = text.find("]", i + 1)
            if close == -1 or close + 1 >= n or text[close + 1] != "(":
                raise EntityParseError(
                    "Can't find end of the entity starting at byte offset "
                    f"{byte_offset(text, begin)}"
                )
            url_end = text.find(")", close + 2)
            if url_end == -1:
                raise EntityParseError(
                    "Can't find end of the entity starting at byte offset "
                    f"{byte_offset(text, begin)}"
                )
            label = text[i + 1 : close]
            out.append(label)
            if label:
                entities.append(
                    {
                        "type": "text_link",
                        "offset": offset,
                        "length": utf16_len(label),
                        "url": text[close + 2 : url_end],
                    }
                )
            offset += utf16_len(label)
            i = url_end + 1
            continue
        end = text.find(c, i + 1)
        if end == -1:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
            )
        body = text[i + 1 : end]
        out.append(body)
        if body:
            entities.append({"type": _MD_MARKERS[c], "offset": offset, "length": utf16_len(body)})
        offset += utf16_len(body)
        i = end + 1
    return trim_message("".join(out), entities)


def parse_text(
    text: str,
    parse_mode: str | None,
    entities: list[JSON] | None = None,
    *,
    strict_ampersand: bool = True,
) -> tuple[str, list[JSON]]:
    """Parse text by parse_mode (None, HTML, MarkdownV2, Markdown; case-insensitive).

    Explicit entities are used only without parse_mode, as Telegram does. Raises
    EntityParseError for bad markup and ValueError for an unknown parse_mode.
    """
    if not parse_mode:
        return trim_message(text, [dict(e) for e in entities or []])
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text, strict_ampersand=strict_ampersand)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(parse_mode)
