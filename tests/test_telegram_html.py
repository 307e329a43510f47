"""Telegram HTML parsing, UTF-16 lengths and message splitting (bot.telegram_html)."""

from __future__ import annotations

import random
import re

import pytest

from bot.telegram_html import (
    MESSAGE_LIMIT,
    TelegramHTMLError,
    check_link,
    parse,
    parse_html,
    split_html,
    utf16_len,
    visible_length,
)


def entity(kind: str, offset: int, length: int, **extra: object) -> dict:
    return {"type": kind, "offset": offset, "length": length, **extra}


# --------------------------------------------------------------------------- valid input


def test_plain_text_has_no_entities() -> None:
    assert parse_html("Привет, мир") == ("Привет, мир", [])
    assert parse_html("") == ("", [])


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("b", "bold"), ("strong", "bold"), ("i", "italic"), ("em", "italic"),
        ("u", "underline"), ("ins", "underline"), ("s", "strikethrough"),
        ("strike", "strikethrough"), ("del", "strikethrough"), ("tg-spoiler", "spoiler"),
        ("code", "code"), ("pre", "pre"), ("blockquote", "blockquote"),
    ],
)
def test_every_simple_tag(tag: str, kind: str) -> None:
    assert parse_html(f"до <{tag}>текст</{tag}> после") == (
        "до текст после", [entity(kind, 3, 5)]
    )


def test_span_spoiler_and_expandable_blockquote() -> None:
    assert parse_html('<span class="tg-spoiler">тайна</span>')[1] == [entity("spoiler", 0, 5)]
    assert parse_html("<blockquote expandable>цитата</blockquote>")[1] == [
        entity("expandable_blockquote", 0, 6)
    ]
    assert parse_html('<blockquote expandable="">x</blockquote>')[1] == [
        entity("expandable_blockquote", 0, 1)
    ]


def test_nested_entities_are_sorted_like_telegram() -> None:
    text, entities = parse_html("<b>жирный <i>курсив <u>и</u></i></b> конец")
    assert text == "жирный курсив и конец"
    assert entities == [entity("bold", 0, 15), entity("italic", 7, 8), entity("underline", 14, 1)]
    # Same offset and length: Telegram orders by type priority (code < bold < italic).
    _, same = parse_html("<i><b><code>x</code></b></i>")
    assert [e["type"] for e in same] == ["code", "bold", "italic"]


def test_utf16_offsets_with_emoji_and_cyrillic() -> None:
    text, entities = parse_html("Привет 👋 <b>мир 🌍</b>!")
    assert text == "Привет 👋 мир 🌍!"
    assert entities == [entity("bold", 10, 6)]  # 👋 and 🌍 are two UTF-16 units each


def test_character_references_are_decoded() -> None:
    text, entities = parse_html("&lt;b&gt; &amp; &quot;q&quot; &#123; &#x1F600; <i>&#x41;</i>")
    assert text == '<b> & "q" { 😀 A'
    assert entities == [entity("italic", 15, 1)]  # 😀 counts as 2


def test_references_without_semicolon_are_decoded_like_telegram() -> None:
    assert parse_html("a &lt b &amp")[0] == "a < b &"


def test_unsupported_references_stay_literal_like_telegram() -> None:
    # Telegram does not reject these: it shows them as typed.
    assert parse_html("&laquo;AT&T&#0;&#X41;")[0] == "&laquo;AT&T&#0;&#X41;"


@pytest.mark.parametrize("html", ["&laquo;", "AT&T", "&#0;", "&#xZZ;", "a &lt b"])
def test_strict_mode_rejects_what_telegram_would_show_literally(html: str) -> None:
    with pytest.raises(TelegramHTMLError):
        parse_html(html, strict=True)


def test_tag_names_are_case_insensitive_and_anonymous_end_tag_closes() -> None:
    assert parse_html("<B>x</b><I>y</>")[1] == [entity("bold", 0, 1), entity("italic", 1, 1)]


def test_attributes_quoted_unquoted_and_with_references() -> None:
    assert parse_html("<a href='https://example.com/?a=1&amp;b=2'>x</a>")[1] == [
        entity("text_link", 0, 1, url="https://example.com/?a=1&b=2")
    ]
    assert parse_html("<a href=example.com>x</a>")[1] == [
        entity("text_link", 0, 1, url="http://example.com/")
    ]
    assert parse_html('<b class="x" data-y=1>x</b>')[1] == [entity("bold", 0, 1)]
    # A '>' inside a quoted value does not end the tag.
    assert parse_html('<a href="https://e.com/?q=a>b">x</a>')[1] == [
        entity("text_link", 0, 1, url="https://e.com/?q=a>b")
    ]


def test_empty_elements_make_no_entity() -> None:
    assert parse_html("<b></b>x<i></i>") == ("x", [])


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("https://Example.COM", "https://example.com/"),
        ("http://example.com/path?q=1#frag", "http://example.com/path?q=1#frag"),
        ("example.com", "http://example.com/"),
        ("tg://resolve?domain=telegram", "tg://resolve?domain=telegram"),
        ("https://t.me/bot?start=ref_1", "https://t.me/bot?start=ref_1"),
    ],
)
def test_links_telegram_accepts(href: str, url: str) -> None:
    assert parse_html(f'<a href="{href}">ссылка</a>')[1] == [entity("text_link", 0, 6, url=url)]
    assert check_link(href) == url


@pytest.mark.parametrize(
    "href", ["tel:+79991234567", "ftp://example.com", "javascript:alert(1)", "localhost", ""]
)
def test_links_telegram_drops_keep_the_text(href: str) -> None:
    assert parse_html(f'<a href="{href}">текст</a>') == ("текст", [])
    with pytest.raises(TelegramHTMLError, match="Invalid URL"):
        parse_html(f'<a href="{href}">текст</a>', strict=True)


def test_strict_mode_wants_an_explicit_scheme() -> None:
    assert parse_html('<a href="mailto:a@b.com">x</a>')[1]  # Telegram's quirk: http://mailto:a@b
    for href in ("mailto:a@b.com", "example.com"):
        with pytest.raises(TelegramHTMLError, match="explicit"):
            parse_html(f'<a href="{href}">x</a>', strict=True)
    parse_html('<a href="https://example.com">x</a>', strict=True)


def test_link_without_href_uses_its_text() -> None:
    assert parse_html("<a>https://example.com</a>")[1] == [
        entity("text_link", 0, 19, url="https://example.com/")
    ]
    assert parse_html("<a>не ссылка</a>")[1] == []


def test_user_mention() -> None:
    assert parse_html('<a href="tg://user?id=123456789">Анна</a>')[1] == [
        entity("text_mention", 0, 4, user={"id": 123456789})
    ]


def test_pre_with_language() -> None:
    html = '<pre><code class="language-python">print(1)</code></pre>'
    assert parse_html(html) == ("print(1)", [entity("pre", 0, 8, language="python")])
    # A language on <code> alone is dropped, as Telegram does.
    assert parse_html('<code class="language-python">x</code>')[1] == [entity("code", 0, 1)]
    assert parse_html("<pre>a\nb</pre>")[1] == [entity("pre", 0, 3)]


def test_custom_emoji() -> None:
    assert parse_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')[1] == [
        entity("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")
    ]


def test_parse_reports_start_tags() -> None:
    assert parse('<b>a</b><span class="tg-spoiler">b</span><i></i>').tags == ("b", "span", "i")


# --------------------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("Привет <p>", 'Unsupported start tag "p" at byte offset 13'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("🏟 <b></b></", "Unexpected end tag at byte offset 12"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ("<a href=", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<b =x>y</b>", 'Empty attribute name in the tag "b" at byte offset 0'),
        ("<b />", 'Empty attribute name in the tag "b" at byte offset 0'),
        ("<a href=x/y>z</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<span class="tg-x">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("<tg-time unix=0>x</tg-time>", "Invalid date specified"),
        (
            "&#xD83D;&#xDE00;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_rejections_match_telegram(html: str, description: str) -> None:
    with pytest.raises(TelegramHTMLError) as caught:
        parse_html(html)
    assert caught.value.description == description
    assert str(caught.value) == description


# --------------------------------------------------------------------------- lengths


@pytest.mark.parametrize(
    ("text", "length"),
    [("", 0), ("abc", 3), ("Привет", 6), ("👍", 2), ("👍🏽", 4), ("🇷🇺", 4), ("➡️", 2), ("ё", 1)],
)
def test_utf16_len(text: str, length: int) -> None:
    assert utf16_len(text) == length


def test_visible_length_counts_parsed_text() -> None:
    assert visible_length("<b>Привет</b> &amp; 👋") == 11
    assert visible_length('<a href="https://example.com/very/long/path">x</a>') == 1


# --------------------------------------------------------------------------- splitting


def texts(parts: list[str]) -> list[str]:
    return [parse_html(part)[0] for part in parts]


def test_short_message_is_not_split() -> None:
    html = "<b>Заголовок</b>\n\nТекст."
    assert split_html(html) == [html]
    assert split_html("x" * MESSAGE_LIMIT) == ["x" * MESSAGE_LIMIT]


def test_split_at_paragraph_boundaries() -> None:
    paragraphs = [f"<b>Абзац {i}.</b> " + "Слово " * 12 + "конец." for i in range(10)]
    html = "\n\n".join(paragraphs)
    parts = split_html(html, 250)
    assert len(parts) > 1
    for part in parts:
        assert visible_length(part) <= 250
        # Whole paragraphs only: every part starts and ends at a paragraph edge.
        assert part.startswith("<b>Абзац") and part.endswith("конец.")
    assert "\n\n".join(texts(parts)) == parse_html(html)[0]
    assert "\n\n".join(parts) == html


def test_paragraphs_are_packed_greedily() -> None:
    html = "\n\n".join(["а" * 40] * 6)  # 6 × 40 + 5 × 2 = 250
    parts = split_html(html, 100)
    assert [visible_length(p) for p in parts] == [82, 82, 82]


def test_long_paragraph_falls_back_to_lines_then_sentences_then_words() -> None:
    lines = "\n".join(f"Строка номер {i}." for i in range(30))
    parts = split_html(lines, 100)
    assert all(not p.startswith("\n") and p.endswith(".") for p in parts)
    assert "\n".join(texts(parts)) == lines

    sentences = " ".join(f"Предложение {i} закончилось." for i in range(30))
    parts = split_html(sentences, 100)
    assert all(p.endswith("закончилось.") for p in parts)
    assert " ".join(texts(parts)) == sentences

    words = " ".join(["слово"] * 100)
    parts = split_html(words, 50)
    assert all(p.startswith("слово") and p.endswith("слово") for p in parts)
    assert " ".join(texts(parts)) == words


def test_sentence_end_inside_quotes_counts() -> None:
    html = "«Первое предложение.» Второе предложение тут. " * 10
    parts = split_html(html.strip(), 60)
    assert all(p.endswith((".»", ".")) for p in parts)


def test_hard_split_never_cuts_a_reference_or_an_emoji() -> None:
    html = "&amp;" * 100
    parts = split_html(html, 7)
    assert all(re.fullmatch(r"(&amp;)+", p) for p in parts)
    assert "".join(texts(parts)) == "&" * 100

    emoji = "👍🏽" * 50
    parts = split_html(emoji, 9)
    assert all(visible_length(p) == 8 for p in parts[:-1])
    assert "".join(texts(parts)) == emoji


def test_tags_open_at_a_cut_are_closed_and_reopened() -> None:
    first = "Первый абзац " * 10
    second = "Второй абзац " * 10
    html = f'<b>{first}\n\n<a href="https://example.com/x">{second}</a></b>'
    parts = split_html(html, 150)
    assert len(parts) == 2
    assert parts[0].startswith("<b>") and parts[0].endswith("</b>")
    assert parts[1].startswith('<b><a href="https://example.com/x">')
    assert parts[1].endswith("</a></b>")
    assert {e["type"] for e in parse_html(parts[1])[1]} == {"bold", "text_link"}


def test_split_keeps_whole_tags_with_gt_in_attributes() -> None:
    link = '<a href="https://e.com/?q=a>b">ссылка</a>'
    html = (" ".join([link] * 40)).strip()
    for part in split_html(html, 50):
        assert parse_html(part)[1][0]["url"] == "https://e.com/?q=a>b"


def test_split_rejects_what_telegram_rejects() -> None:
    with pytest.raises(TelegramHTMLError):
        split_html("<b>x" + "y" * 5000)
    with pytest.raises(ValueError, match="limit"):
        split_html("x", 1)


def _random_html(rng: random.Random, depth: int = 0) -> str:
    pieces = []
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if roll < 0.2 and depth < 3:
            tag = rng.choice(["b", "i", "u", "s", "code", "blockquote", "tg-spoiler"])
            pieces.append(f"<{tag}>{_random_html(rng, depth + 1)}</{tag}>")
        elif roll < 0.3:
            pieces.append("\n\n")
        elif roll < 0.4:
            pieces.append("\n")
        elif roll < 0.45:
            pieces.append("&amp;&lt;")
        elif roll < 0.5:
            pieces.append("👍🏽 ➡️ 🇷🇺")
        else:
            pieces.append(rng.choice(["Привет, мир. ", "word ", "длинноеслово" * 3, "Конец! "]))
    return "".join(pieces)


def test_split_parts_always_parse_fit_and_keep_the_content() -> None:
    rng = random.Random(20240601)
    for _ in range(400):
        html = _random_html(rng)
        limit = rng.randint(3, 60)
        parts = split_html(html, limit)
        for part in parts:
            assert visible_length(part) <= limit, (html, limit, part)
        joined = "".join(texts(parts))
        assert re.sub(r"\s+", "", joined) == re.sub(r"\s+", "", parse_html(html)[0])


def test_utf16_counts_agree_with_the_definition() -> None:
    """The C-speed counters equal the definition: one unit per character, two above
    U+FFFF (lone surrogates and bytes cut mid-sequence included)."""
    from bot.telegram_html import _utf16_of_utf8

    samples = ["", "a", "Привет 👋", "👍🏽🇷🇺➡️", "\ud83d", "x\udfffy", "𝄞" * 5 + "ё"]
    for text in samples:
        assert utf16_len(text) == sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        data = text.encode("utf-8", "surrogatepass")
        for cut in range(len(data) + 1):
            chunk = data[:cut]
            expected = sum(1 for b in chunk if b & 0xC0 != 0x80) + sum(1 for b in chunk if b >= 0xF0)
            assert _utf16_of_utf8(chunk) == expected
