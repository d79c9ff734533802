"""Telegram's HTML and Markdown parsing as the sandbox implements it."""

from __future__ import annotations

import pytest

from bot.sandbox.markdown import parse_markdown, parse_markdown_v2, parse_text
from bot.telegram_text import EntityParseError, parse_html, utf16_len


def test_utf16_len_counts_surrogate_pairs() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("工会") == 2
    assert utf16_len("😀") == 2


def test_html_to_plain_text_and_entities() -> None:
    plain, entities = parse_html(
        '<b>通知</b> &lt;急&gt; <a href="https://x.cn/a?b=1&amp;c=2">链接</a>'
    )
    assert plain == "通知 <急> 链接"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 7, "length": 2, "url": "https://x.cn/a?b=1&c=2"},
    ]


def test_offsets_are_utf16_after_an_emoji() -> None:
    _plain, entities = parse_html("😀 <i>x</i>")
    assert entities == [{"type": "italic", "offset": 3, "length": 1}]


@pytest.mark.parametrize(
    "html",
    [
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins>",
        "<s>s</s><strike>k</strike><del>d</del>",
        '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
        '<code>c</code><pre><code class="language-python">p</code></pre>',
        "<blockquote>q</blockquote><blockquote expandable>long</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<B>upper case tags</B> and a > sign",
        "&#20250; &#x4F1A; &quot;q&quot; &amp;",
    ],
)
def test_allowed_html_parses(html: str) -> None:
    plain, _entities = parse_html(html)
    assert plain


def test_pre_with_language_is_one_entity() -> None:
    _plain, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


def test_expandable_blockquote() -> None:
    _plain, entities = parse_html("<blockquote expandable>a</blockquote>")
    assert entities[0]["type"] == "expandable_blockquote"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("line<br/>break", 'Unsupported start tag "br/" at byte offset 4'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y', "Unclosed start tag at byte offset 0"),
    ],
)
def test_invalid_html_is_rejected_with_telegrams_reason(html: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert str(info.value) == reason


def test_bare_ampersand_is_strict_by_default_and_literal_otherwise() -> None:
    with pytest.raises(EntityParseError, match="does not start an HTML entity"):
        parse_html("Tom & Jerry")
    assert parse_html("Tom & Jerry", strict_ampersand=False) == ("Tom & Jerry", [])
    # An unknown named entity is not an entity either.
    with pytest.raises(EntityParseError):
        parse_html("&nbsp;")


def test_surrounding_whitespace_is_trimmed_and_entities_shift() -> None:
    plain, entities = parse_html("\n  <b>x</b>  \n")
    assert plain == "x"
    assert entities == [{"type": "bold", "offset": 0, "length": 1}]


def test_markdown_v2() -> None:
    source = r"*bold* _it_ __u__ ~s~ ||sp|| `c` [l](https://a\.b) 1\.0\!"
    plain, entities = parse_markdown_v2(source)
    assert plain == "bold it u s sp c l 1.0!"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    assert entities[-1]["url"] == "https://a.b"


def test_markdown_v2_reserved_character_must_be_escaped() -> None:
    with pytest.raises(EntityParseError) as info:
        parse_markdown_v2("Done.")
    assert str(info.value) == (
        "Character '.' is reserved and must be escaped with the preceding '\\'"
    )
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*open")


def test_legacy_markdown() -> None:
    assert parse_markdown("*b* _i_ `c` [t](http://x)")[0] == "b i c t"
    with pytest.raises(EntityParseError, match="Can't find end of the entity"):
        parse_markdown("snake_case")


def test_parse_text_dispatch() -> None:
    assert parse_text("<b>x</b>", "HTML")[0] == "x"
    assert parse_text("<b>x</b>", None) == ("<b>x</b>", [])
    with pytest.raises(ValueError):
        parse_text("x", "BBCode")
