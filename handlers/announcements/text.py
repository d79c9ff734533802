"""Pure checks for announcements: Telegram HTML, length limits, splitting, typed times."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, tzinfo

from bot.i18n import N_
from bot.telegram_text import EntityParseError, parse_html, utf16_len
from handlers.validation import Problem

MAX_TEXT = 4096
MAX_CAPTION = 1024
#: Telegram's own HTML tags (what the officer may use), for the hint in error messages.
TAGS_HINT = '<b> <i> <u> <s> <a href="…"> <code> <pre> <blockquote> <tg-spoiler>'
_BARE_AMP = re.compile(r"&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z]{2,8};)")
#: A "<" that cannot start a tag ("5 < 10", "<3", "<="): text, not markup.
_BARE_LT = re.compile(r"<(?![A-Za-z/])")
#: Telegram's parse errors, explained in the officer's language ({tag} filled in).
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r'Can\'t find end tag corresponding to start tag "([^"]*)"'),
        N_("{tag} is opened but never closed."),
    ),
    (re.compile(r'Unsupported start tag "([^"]*)"'), N_("{tag} is not a tag Telegram knows.")),
    (
        re.compile(r'Unmatched end tag .*expected "</([^"]*)>"'),
        N_("the closing tags are in the wrong order; {tag} must be closed first."),
    ),
    (re.compile(r"Unexpected end tag"), N_("a closing tag has no opening tag.")),
    (re.compile(r"Unclosed (?:start|end) tag"), N_("a tag is missing its closing “>”.")),
)
_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y.%m.%d %H:%M")
_SHORT_FORMATS = ("%m-%d %H:%M", "%m/%d %H:%M")


def normalize(raw: str) -> str:
    """Trim, and escape a bare '&' ("R&D") or '<' ("5 < 10") Telegram would choke on."""
    return _BARE_LT.sub("&lt;", _BARE_AMP.sub("&amp;", raw.strip()))


def plain(text: str) -> str:
    """The text a member reads: tags removed, entities decoded (raises EntityParseError)."""
    return parse_html(text, strict_ampersand=False)[0]


def length(text: str) -> int:
    """Length as Telegram counts it: characters after parsing, in UTF-16 units."""
    return utf16_len(plain(text))


def measure(text: str) -> int | Problem:
    """Length as Telegram counts it, or why Telegram would reject the HTML."""
    try:
        return length(text)
    except EntityParseError as exc:
        return _invalid(exc)


def _invalid(exc: EntityParseError) -> Problem:
    """The refusal for HTML Telegram would not parse, with the reason in the officer's words."""
    reason = Problem(N_("the formatting tags do not fit together."))
    for pattern, msgid in _REASONS:
        found = pattern.search(str(exc))
        if found:
            tag = f"<{found.group(1)}>" if found.groups() else ""
            reason = Problem(msgid, {"tag": tag} if tag else {})
            break
    return Problem(
        N_(
            "Telegram would reject this formatting: {reason}\n"
            "Allowed tags: {tags}. Please correct the text and send it again."
        ),
        {"reason": reason, "tags": TAGS_HINT},
    )


def example_time(now: float, tz: tzinfo) -> str:
    """Tomorrow at nine, typed the way parse_when reads it."""
    return (datetime.fromtimestamp(now, tz) + timedelta(days=1)).strftime("%Y-%m-%d 09:00")


def check(text: str, limit: int) -> Problem | None:
    """None when Telegram would accept the HTML within `limit`; else what is wrong."""
    count = measure(text)
    if isinstance(count, Problem):
        return count
    if limit == MAX_CAPTION and count > limit:
        return Problem(
            N_(
                "A caption can have at most {limit} characters; this one has {length}. "
                "Please shorten it."
            ),
            {"length": count, "limit": limit},
        )
    if count > limit:
        return Problem(
            N_("The text has {length} characters; one message can have at most {limit}."),
            {"length": count, "limit": limit},
        )
    return None


def split(text: str, limit: int = MAX_TEXT) -> list[str] | None:
    """Cut a long text at paragraph breaks into messages Telegram accepts; None if impossible.

    Blank lines are tried first, then single line breaks. Each part must be valid
    HTML on its own, so a tag spanning a break makes the text unsplittable there.
    """
    for pattern, glue in ((r"\n\s*\n", "\n\n"), (r"\n", "\n")):
        parts = _pack([p for p in re.split(pattern, text) if p.strip()], glue, limit)
        if parts is not None:
            return parts if len(parts) > 1 else None
    return None


def _pack(paragraphs: list[str], glue: str, limit: int) -> list[str] | None:
    """Fill messages greedily with whole paragraphs; None when one alone is too long."""
    parts: list[str] = []
    current = ""
    for paragraph in paragraphs:
        candidate = f"{current}{glue}{paragraph}" if current else paragraph
        if _fits(candidate, limit):
            current = candidate
            continue
        if not current or not _fits(paragraph, limit):
            return None
        parts.append(current)
        current = paragraph
    if current:
        parts.append(current)
    return parts


def _fits(text: str, limit: int) -> bool:
    """Valid HTML within the limit."""
    try:
        return length(text) <= limit
    except EntityParseError:
        return False


def summary(text: str, width: int = 40) -> str:
    """The first line as plain text, shortened: how lists name an announcement."""
    try:
        first = plain(text).strip().splitlines()
    except EntityParseError:
        first = text.strip().splitlines()
    line = first[0] if first else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def excerpt(text: str, width: int = 300) -> str:
    """A shortened plain copy for review screens, escaped for HTML."""
    try:
        body = plain(text)
    except EntityParseError:
        body = text
    if len(body) > width:
        body = body[: width - 1] + "…"
    return html.escape(body, quote=False)


def parse_when(raw: str, tz: tzinfo, now: float) -> float | Problem:
    """A typed local time ("2026-03-05 09:00", or "03-05 09:00" this year) as epoch seconds."""
    value = " ".join(raw.replace("：", ":").split())
    moment: datetime | None = None
    for fmt in _TIME_FORMATS:
        try:
            moment = datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if moment is None:
        today = datetime.fromtimestamp(now, tz)
        for fmt in _SHORT_FORMATS:
            try:
                moment = datetime.strptime(f"{today.year}-{value}", f"%Y-{fmt}")
                break
            except ValueError:
                continue
    if moment is None:
        return Problem(
            N_(
                "I could not read that time. Please type it like {example} "
                "(year-month-day hour:minute, in {zone})."
            ),
            {"example": example_time(now, tz), "zone": str(tz)},
        )
    when = moment.replace(tzinfo=tz).timestamp()
    if when <= now + 60:
        return Problem(N_("That time has already passed. Please choose a later time."))
    if when > now + 366 * 86400:
        return Problem(N_("Please choose a time within the next year."))
    return when
