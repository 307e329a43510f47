"""Telegram's HTML parse mode: parsing, visible length and splitting of long messages.

`parse_html` follows the algorithm the Bot API applies to `parse_mode=HTML` (TDLib's
`parse_html`, including its quirks), so the content check and the Bot API emulator see the
same text, entities and error descriptions as a real bot would. Error descriptions are what
Telegram puts after "Bad Request: can't parse entities: ".

Where Telegram is lenient it stays lenient: an unsupported character reference such as
`&laquo;` or a bare `&` is kept as literal text, unknown attributes are ignored, and a link
Telegram cannot use (`tel:`, `mailto:`, a host without a dot) silently loses its link. Those
are nearly always authoring mistakes, so `strict=True` turns them into errors too; the
wording of these strict-only errors is ours (Telegram has none), see `STRICT_ONLY_PREFIXES`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

__all__ = [
    "MESSAGE_LIMIT",
    "STRICT_ONLY_PREFIXES",
    "ParsedHTML",
    "TelegramHTMLError",
    "check_link",
    "link_user_id",
    "parse",
    "parse_html",
    "split_html",
    "utf16_len",
    "visible_length",
]

MESSAGE_LIMIT = 4096
"""Telegram's limit for a text message, in UTF-16 code units of the parsed text."""

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "tg-time", "span", "pre", "code", "blockquote",
    }
)

STRICT_ONLY_PREFIXES = ("Unsupported character entity", "Character entity without", "Invalid URL")
"""Descriptions raised only with `strict=True`; Telegram itself accepts those inputs."""

# TDLib's sort order for entities starting at the same offset with the same length.
_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "date_time": 30,
    "text_link": 49, "text_mention": 49, "bold": 90, "italic": 91, "underline": 92,
    "strikethrough": 93, "spoiler": 94, "custom_emoji": 99,
}
_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler", "span": "spoiler",
}
_SURROGATE_ERROR = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)
_SPACES = frozenset(b" \t\r\n\x00\x0b")  # TDLib's is_space() includes NUL
_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset(b"0123456789")
_ALPHA = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPECIAL = re.compile(rb"[&<]")


class TelegramHTMLError(ValueError):
    """Telegram would answer "Bad Request: can't parse entities: <description>"."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class ParsedHTML:
    """The parse result: plain text, Bot API entities and every start tag seen."""

    text: str
    entities: list[dict] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    """Lower-cased start tag names in document order (`span` for `<span class="tg-spoiler">`)."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and limits (counted by
    the codec in C: a loop over the characters in Python cost the emulator a tenth of its
    time per sent message). A lone surrogate counts as one unit, as in Telegram."""
    return len(text.encode("utf-16-le", "surrogatepass")) >> 1


def parse_html(html: str, *, strict: bool = False) -> tuple[str, list[dict]]:
    """Parse like the Bot API with parse_mode=HTML: (plain text, MessageEntity dicts)."""
    parsed = parse(html, strict=strict)
    return parsed.text, parsed.entities


def visible_length(html: str) -> int:
    """UTF-16 length of the parsed text: what Telegram's 4096 limit counts."""
    return utf16_len(parse(html).text)


# --------------------------------------------------------------------------- parsing


@dataclass
class _Open:
    tag: str
    argument: str
    date: int
    offset: int  # UTF-16 offset of the entity start in the result
    begin: int  # byte position of the entity start in the result
    source: int  # byte offset of the start tag in the input


def _at(data: bytes, i: int) -> int:
    return data[i] if i < len(data) else 0


def _decode_reference(data: bytes, pos: int) -> tuple[int, int, bool]:
    """A character reference at data[pos] == '&': (code point or 0, end, had ';')."""
    end = pos + 1
    code = 0
    if _at(data, pos + 1) == ord("#"):
        end += 1
        if _at(data, pos + 2) == ord("x"):
            end += 1
            while _at(data, end) in _HEX:
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while _at(data, end) in _DIGITS:
                code = code * 10 + data[end] - 48
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos, False
    else:
        while _at(data, end) in _ALPHA:
            end += 1
        name = data[pos + 1 : end]
        if name not in _NAMED:
            return 0, pos, False
        code = ord(_NAMED[name])
    if _at(data, end) == ord(";"):
        return code, end + 1, True
    return code, end, False


def _encode(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


def _utf16_of_utf8(chunk: bytes) -> int:
    """UTF-16 units of a UTF-8 chunk: one per lead byte, two for a four-byte sequence. The
    parser cuts chunks at ASCII bytes of valid UTF-8, so the codec counts them in C."""
    try:
        return utf16_len(chunk.decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        return sum(1 for b in chunk if b & 0xC0 != 0x80) + sum(1 for b in chunk if b >= 0xF0)


def _to_int(value: str, bits: int) -> int | None:
    """TDLib's to_integer_safe: the decimal form must round-trip exactly."""
    if not re.fullmatch(r"-?[0-9]+", value):
        return None
    number = int(value)
    if str(number) != value or not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
        return None
    return number


def _to_int_lenient(value: str) -> int:
    """TDLib's to_integer<int32>: leading sign and digits, wrapping on overflow."""
    match = re.match(r"(-?)([0-9]*)", value)
    assert match is not None
    number = int(match.group(2) or "0") % 2**32
    if match.group(1):
        number = -number % 2**32
    return number - 2**32 if number >= 2**31 else number


def _date_time_format(fmt: str) -> str | None:
    """Normalised `date_time_format`, or None when Telegram rejects the format."""
    if fmt in ("r", "R"):
        return "r"
    if any(ch not in "tTdDwW" for ch in fmt):
        return None
    out = "w" if any(ch in "wW" for ch in fmt) else ""
    out += "D" if "D" in fmt else ("d" if "d" in fmt else "")
    out += "T" if "T" in fmt else ("t" if "t" in fmt else "")
    return out


def parse(html: str, *, strict: bool = False) -> ParsedHTML:
    """Parse Telegram HTML; raise `TelegramHTMLError` where the Bot API would refuse it.

    The entities are what Telegram's HTML parser produces, sorted as Telegram sorts them.
    The server's later normalisation of a sent message (trimming surrounding whitespace,
    dropping entities nested inside code/pre, merging neighbours) is not modelled.
    """
    return _parse(html, strict, None)


def _parse(html: str, strict: bool, spans: list[tuple[int, int, str]] | None) -> ParsedHTML:
    """The parser; when `spans` is a list, appends (begin, end, kind) byte spans of tags."""
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:
        raise TelegramHTMLError("Strings must be encoded in UTF-8") from None
    size = len(data)
    out = bytearray()
    utf16 = 0
    need_recheck = False
    stack: list[_Open] = []
    entities: list[dict] = []
    tags: list[str] = []

    i = 0
    while i < size:
        c = data[i]
        if c == 0x26:  # '&'
            code, end, terminated = _decode_reference(data, i)
            if code:
                if strict and not terminated:
                    raise TelegramHTMLError(
                        f"Character entity without a terminating \";\" at byte offset {i}"
                    )
                utf16 += 2 if code > 0xFFFF else 1
                need_recheck |= 0xD800 <= code <= 0xDFFF
                out += _encode(code)
                i = end
                continue
            if strict:
                snippet = re.match(rb"&#?[0-9A-Za-z]{0,10};?", data[i:])
                shown = snippet.group(0).decode("ascii") if snippet else "&"
                raise TelegramHTMLError(
                    f'Unsupported character entity "{shown}" at byte offset {i}; '
                    f"use &amp;, &lt;, &gt;, &quot; or a numeric reference"
                )
            out.append(c)
            utf16 += 1
            i += 1
            continue
        if c != 0x3C:  # plain text up to the next '&' or '<'
            match = _SPECIAL.search(data, i)
            end = match.start() if match else size
            chunk = data[i:end]
            out += chunk
            utf16 += _utf16_of_utf8(chunk)
            i = end
            continue

        begin = i
        i += 1
        if _at(data, i) != ord("/"):
            i = _start_tag(data, i, begin, out, utf16, stack, tags)
            kind = "start"
        else:
            i = _end_tag(data, i, begin, out, utf16, stack, entities, strict)
            kind = "end"
        i += 1  # past '>'
        if spans is not None:
            spans.append((begin, i, kind))

    if stack:
        raise TelegramHTMLError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"'
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY[e["type"]]))
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        raise TelegramHTMLError(_SURROGATE_ERROR) from None
    if need_recheck:
        raise TelegramHTMLError(_SURROGATE_ERROR)
    return ParsedHTML(text, entities, tuple(tags))


def _start_tag(
    data: bytes, i: int, begin: int, out: bytearray, utf16: int,
    stack: list[_Open], tags: list[str],
) -> int:
    while _at(data, i) not in _SPACES and _at(data, i) != ord(">"):
        i += 1
    if _at(data, i) == 0:
        raise TelegramHTMLError(f"Unclosed start tag at byte offset {begin}")
    tag = data[begin + 1 : i].lower().decode("utf-8", "replace")
    if tag not in SUPPORTED_TAGS:
        raise TelegramHTMLError(f'Unsupported start tag "{tag}" at byte offset {begin}')

    argument = ""
    date = 0
    while _at(data, i) != ord(">"):
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) == ord(">"):
            break
        name_begin = i
        while _at(data, i) not in _SPACES and _at(data, i) not in b"=>/\"'":
            i += 1
        name = data[name_begin:i]
        if not name:
            raise TelegramHTMLError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) != ord("="):
            if _at(data, i) == 0:
                raise TelegramHTMLError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == b"expandable":
                argument = "1"
            continue
        i += 1
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) == 0:
            raise TelegramHTMLError(f'Unclosed start tag "{tag}" at byte offset {begin}')

        quote = _at(data, i)
        if quote not in (ord("'"), ord('"')):
            # A name token: letters, digits, periods and hyphens, case-insensitive.
            token_begin = i
            while _at(data, i) in _ALNUM or _at(data, i) in b".-":
                i += 1
            raw = data[token_begin:i].lower()
            if _at(data, i) not in _SPACES and _at(data, i) != ord(">"):
                raise TelegramHTMLError(
                    f"Unexpected end of name token at byte offset {token_begin}"
                )
        else:
            i += 1
            value = bytearray()
            while _at(data, i) != quote and _at(data, i) != 0:
                if data[i] == 0x26:
                    code, end, _ = _decode_reference(data, i)
                    if code:
                        value += _encode(code)
                        i = end
                        continue
                value.append(data[i])
                i += 1
            if _at(data, i) == quote:
                i += 1
            raw = bytes(value)
        if _at(data, i) == 0:
            raise TelegramHTMLError(f"Unclosed start tag at byte offset {begin}")

        text_value = raw.decode("utf-8", "replace")
        if tag == "a" and name == b"href":
            argument = text_value
        elif tag == "code" and name == b"class" and text_value.startswith("language-"):
            argument = text_value[9:]
        elif tag == "span" and name == b"class" and text_value.startswith("tg-"):
            argument = text_value[3:]
        elif tag == "tg-emoji" and name == b"emoji-id":
            argument = text_value
        elif tag == "blockquote" and name == b"expandable":
            argument = "1"
        elif tag == "tg-time" and name == b"unix":
            date = _to_int_lenient(text_value)
        elif tag == "tg-time" and name == b"format":
            argument = text_value

    if tag == "span" and argument != "spoiler":
        raise TelegramHTMLError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    stack.append(_Open(tag, argument, date, utf16, len(out), begin))
    tags.append(tag)
    return i


def _end_tag(
    data: bytes, i: int, begin: int, out: bytearray, utf16: int,
    stack: list[_Open], entities: list[dict], strict: bool,
) -> int:
    if not stack:
        raise TelegramHTMLError(f"Unexpected end tag at byte offset {begin}")
    while _at(data, i) not in _SPACES and _at(data, i) != ord(">"):
        i += 1
    end_name = data[begin + 2 : i].lower().decode("utf-8", "replace")
    while _at(data, i) != 0 and _at(data, i) in _SPACES:
        i += 1
    if _at(data, i) != ord(">"):
        raise TelegramHTMLError(f"Unclosed end tag at byte offset {begin}")
    top = stack[-1]
    if end_name and end_name != top.tag:
        raise TelegramHTMLError(
            f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
            f'found "</{end_name}>"'
        )
    stack.pop()
    if utf16 <= top.offset:
        if strict and top.tag == "a":
            _strict_link(top, bytes(out[top.begin :]))
        return i
    entity = _entity(top, utf16 - top.offset, bytes(out[top.begin :]), entities, strict)
    if entity is not None:
        entities.append(entity)
    return i


def _strict_link(top: _Open, inner: bytes) -> None:
    """Strict mode: the link must be explicit http(s)/tg and survive Telegram's check."""
    url = top.argument or inner.decode("utf-8", "replace")
    if link_user_id(url) is not None:
        return
    if check_link(url) is None:
        reason = "Telegram would show the text without the link"
    elif not re.match(r"(?i)(https?://|tg://)", url):
        reason = "only explicit http://, https:// and tg:// links are allowed"
    else:
        return
    raise TelegramHTMLError(
        f'Invalid URL "{url}" in the tag "a" at byte offset {top.source}: {reason}'
    )


def _entity(
    top: _Open, length: int, inner: bytes, entities: list[dict], strict: bool
) -> dict | None:
    base = {"offset": top.offset, "length": length}
    tag = top.tag
    if tag in _SIMPLE:
        return {"type": _SIMPLE[tag], **base}
    if tag == "tg-emoji":
        emoji_id = _to_int(top.argument, 64)
        if not emoji_id:
            raise TelegramHTMLError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": str(emoji_id)}
    if tag == "tg-time":
        fmt = _date_time_format(top.argument)
        if top.date <= 0:
            raise TelegramHTMLError("Invalid date specified")
        if fmt is None:
            raise TelegramHTMLError("Invalid date format used")
        entity = {"type": "date_time", **base, "unix_time": top.date}
        if fmt:
            entity["date_time_format"] = fmt
        return entity
    if tag == "a":
        url = top.argument or inner.decode("utf-8", "replace")
        user_id = link_user_id(url)
        if user_id is not None:
            return {"type": "text_mention", **base, "user": {"id": user_id}}
        if strict:
            _strict_link(top, inner)
        checked = check_link(url)
        if checked is None:
            return None
        return {"type": "text_link", **base, "url": checked}
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == top.offset and last["length"] == length
    if tag == "pre":
        if same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
            return None
        return {"type": "pre", **base}
    if tag == "code":
        if same_span and last["type"] == "pre" and top.argument:
            last["language"] = top.argument
            return None
        entity = {"type": "code", **base}
        if top.argument:
            entity["language"] = top.argument  # dropped unless a <pre> adopts it
        return entity
    if tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        return {"type": kind, **base}
    raise AssertionError(tag)  # pragma: no cover - SUPPORTED_TAGS is exhaustive


# --------------------------------------------------------------------------- links


def link_user_id(url: str) -> int | None:
    """The user id of a `tg://user?id=<id>` link (a text mention), else None."""
    low = url.lower()
    if not low.startswith("tg:"):
        return None
    rest = low[3:]
    rest = rest.removeprefix("//")
    if not rest.startswith("user") or (len(rest) > 4 and rest[4] not in "/?#"):
        return None
    rest = rest[4:].removeprefix("/")
    if not rest.startswith("?"):
        return None
    query = rest[1:].split("#", 1)[0]
    for parameter in query.split("&"):
        key, _, value = parameter.partition("=")
        if key == "id":
            user_id = _to_int(value, 64)
            # TDLib's UserId::is_valid(); an invalid id falls through to an ordinary tg: link.
            return user_id if user_id is not None and 0 < user_id < 2**40 else None
    return None


_URL_PART_OK = _ALNUM | frozenset(b".-_!$,~*'();&+=")  # RFC 3986 characters TDLib allows


def _url_part_ok(part: str, allow_colon: bool) -> bool:
    raw = part.encode("utf-8")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c in _URL_PART_OK or (allow_colon and c == ord(":")) or c >= 128:
            i += 1
            continue
        if c == ord("%") and _at(raw, i + 1) in _HEX and _at(raw, i + 2) in _HEX:
            i += 3
            continue
        return False
    return True


def _parse_url(link: str) -> tuple[str, str, str, int, bool, str] | None:
    """TDLib's parse_url: (scheme, userinfo, host, port, is_ipv6, path+query) or None."""
    match = re.match(r"[^:/?#@\[\]]*", link)
    assert match is not None
    rest = link
    scheme = "http"
    if link[match.end() : match.end() + 3] == "://":
        scheme = match.group(0).lower()
        if scheme not in ("http", "https"):
            return None
        rest = link[match.end() + 3 :]
    authority_end = re.search(r"[/?#]", rest)
    authority = rest[: authority_end.start()] if authority_end else rest
    query = rest[authority_end.start() :] if authority_end else ""

    port = 0
    host_part = authority
    colon = len(authority) - 1
    while colon > 0 and authority[colon] not in ":]@":
        colon -= 1
    if colon > 0 and authority[colon] == ":":
        port_text = authority[colon + 1 :]
        while len(port_text) > 1 and port_text[0] == "0":
            port_text = port_text[1:]
        number = _to_int(port_text, 32)
        port = -1 if not number else number
        host_part = authority[:colon]
    if port < 0 or port > 65535:
        return None
    userinfo, _, host = host_part.rpartition("@")
    is_ipv6 = host.startswith("[") and host.endswith("]") and len(host) > 1
    if not host or host == ".":
        return None
    host = "".join(ch.lower() if ch.isascii() else ch for ch in host)  # ASCII-only, as TDLib
    if is_ipv6:
        if not re.fullmatch(r"\[[0-9a-f:.]+\]", host):
            return None
    elif not _url_part_ok(host, False) or not _url_part_ok(userinfo, True):
        return None
    query = query.rstrip(" \t\r\n\x0b")
    if not query:
        query = "/"
    if not query.startswith("/"):
        query = "/" + query
    query = "".join(f"%{ord(ch):02X}" if ord(ch) <= 0x20 else ch for ch in query)
    return scheme, userinfo, host, port, is_ipv6, query


def check_link(url: str) -> str | None:
    """The normalised URL Telegram keeps for a text link, or None when it drops the link.

    Accepted: http(s) links (a scheme-less link becomes http://) whose host has a dot,
    and tg:// links. Everything else (tel:, mailto:, ftp:, javascript:, ...) is dropped.
    """
    scheme_kind = ""
    link = url
    for prefix in ("tg:", "ton:", "tonsite:"):
        if link.lower().startswith(prefix):
            scheme_kind = prefix[:-1]
            link = link[len(prefix) :]
            link = link.removeprefix("//")
            break
    parsed = _parse_url(link)
    if parsed is None:
        return None
    scheme, userinfo, host, port, is_ipv6, query = parsed
    if scheme_kind:
        if link.lower().startswith("http://") or scheme == "https" or userinfo or port or is_ipv6:
            return None
        if query.startswith("/?"):
            query = query[1:]
        extra = "." if scheme_kind == "tonsite" else ""
        if any(not (ch.isascii() and (ch.isalnum() or ch in "-_" + extra)) for ch in host):
            return None
        return f"{scheme_kind}://{host}{query}"
    if "." not in host and not is_ipv6:
        return None
    auth = f"{userinfo}@" if userinfo else ""
    port_part = f":{port}" if port else ""
    return f"{scheme}://{auth}{host}{port_part}{query}"


# --------------------------------------------------------------------------- splitting

_BREAKABLE = frozenset(" \t\r\n")  # never cut at a no-break space
_SENTENCE_END = frozenset(".!?…")
_CLOSERS = frozenset("»\"')]”’")
_GLUE = frozenset("\u200d\ufe0e\ufe0f")


@dataclass(frozen=True)
class _Token:
    kind: str  # "char", "start" or "end"
    raw: str  # source text: one character, one character reference, or one whole tag
    char: str = ""  # the visible character of a "char" token
    width: int = 0  # its UTF-16 width
    name: str = ""  # tag name of a "start"/"end" token ("" for the anonymous "</>")


def _utf8_length(lead: int) -> int:
    return 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _tokenize(html: str) -> list[_Token]:
    """Tags and visible characters, with the parser's own tag boundaries.

    A character reference (`&amp;`) is a single token, so no cut goes through it.
    """
    spans: list[tuple[int, int, str]] = []
    _parse(html, False, spans)
    data = html.encode("utf-8")
    tokens: list[_Token] = []
    k = 0
    j = 0
    while k < len(data):
        if j < len(spans) and spans[j][0] == k:
            begin, end, kind = spans[j]
            j += 1
            raw = data[begin:end].decode("utf-8")
            name = re.match(r"</?([^\s>]*)", raw).group(1).lower()  # type: ignore[union-attr]
            tokens.append(_Token(kind, raw, name=name))
            k = end
            continue
        if data[k] == 0x26:
            code, end, _ = _decode_reference(data, k)
            if code:
                width = 2 if code > 0xFFFF else 1
                tokens.append(_Token("char", data[k:end].decode("ascii"), chr(code), width))
                k = end
                continue
        raw = data[k : k + _utf8_length(data[k])].decode("utf-8")
        tokens.append(_Token("char", raw, raw, utf16_len(raw)))
        k += len(raw.encode("utf-8"))
    return tokens


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a message into parts whose visible length is at most `limit` each.

    Cuts at paragraph boundaries (blank lines); only a paragraph longer than the limit is
    cut at a line break, then after a sentence, then between words, and as a last resort
    between any two characters (never inside a character reference or an emoji sequence).
    The whitespace at a cut is dropped. Tags open at a cut are closed at the end of the part
    and reopened at the start of the next one, so every part parses on its own and keeps
    its formatting. Raises `TelegramHTMLError` for input Telegram would reject.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2 UTF-16 code units")
    if utf16_len(parse(html).text) <= limit:
        return [html]

    tokens = _tokenize(html)
    stacks: list[tuple[_Token, ...]] = []  # stacks[k]: open start tags before tokens[k]
    prefix = [0]  # prefix[k]: visible width of tokens[:k]
    stack: list[_Token] = []
    for token in tokens:
        stacks.append(tuple(stack))
        prefix.append(prefix[-1] + token.width)
        if token.kind == "start":
            stack.append(token)
        elif token.kind == "end":
            stack.pop()
    stacks.append(tuple(stack))

    parts: list[str] = []
    start = 0
    while prefix[-1] - prefix[start] > limit:
        end, start_next = _find_cut(tokens, prefix, start, limit)
        parts.append(_assemble(tokens, stacks, start, end))
        start = start_next
    if _has_visible(tokens, start, len(tokens)):
        parts.append(_assemble(tokens, stacks, start, len(tokens)))
    return parts


def _has_visible(tokens: list[_Token], start: int, end: int) -> bool:
    return any(t.kind == "char" and not t.char.isspace() for t in tokens[start:end])


def _assemble(
    tokens: list[_Token], stacks: list[tuple[_Token, ...]], start: int, end: int
) -> str:
    opened = "".join(t.raw for t in stacks[start])
    body = "".join(t.raw for t in tokens[start:end])
    closed = "".join(f"</{t.name}>" for t in reversed(stacks[end]))
    return opened + body + closed


def _find_cut(
    tokens: list[_Token], prefix: list[int], start: int, limit: int
) -> tuple[int, int]:
    """(end of this part, start of the next part) for the best cut within `limit`."""
    fit_end = bisect_right(prefix, prefix[start] + limit) - 1  # tokens[start:fit_end] fit
    if not _has_visible(tokens, start, fit_end) and tokens[start].width > limit:
        raise ValueError("limit is smaller than a single character")

    runs = _whitespace_runs(tokens, start, fit_end)
    for level in ("paragraph", "line", "sentence", "word"):
        best = None
        for run_start, run_end, newlines, before in runs:
            if not _has_visible(tokens, start, run_start):
                continue
            if level == "paragraph" and newlines < 2:
                continue
            if level == "line" and newlines < 1:
                continue
            if level == "sentence" and not _ends_sentence(before):
                continue
            best = (run_start, run_end)
        if best is not None:
            return _tidy(tokens, start, *best)

    for k in range(fit_end, start, -1):  # hard cut between tokens[k - 1] and tokens[k]
        after = next((t for t in tokens[k:] if t.kind == "char"), None)
        before = next((t for t in reversed(tokens[start:k]) if t.kind == "char"), None)
        if after is None or before is None or not _has_visible(tokens, start, k):
            continue
        if not _joins(before, after):
            return _tidy(tokens, start, k, k)
    return _tidy(tokens, start, fit_end, fit_end)


def _tidy(tokens: list[_Token], start: int, end: int, start_next: int) -> tuple[int, int]:
    """Leave a tag opening right at the cut to the next part, a closing one to this part."""
    while end > start + 1 and tokens[end - 1].kind == "start":
        end -= 1
    while start_next < len(tokens) and tokens[start_next].kind == "end":
        start_next += 1
    return end, start_next


def _whitespace_runs(
    tokens: list[_Token], start: int, fit_end: int
) -> list[tuple[int, int, int, str]]:
    """Whitespace runs starting within the fitting range, not interrupted by tags.

    Each run is (first token, token after the run, newlines in it, the two visible
    characters before it).
    """
    runs = []
    before = ""
    k = start
    while k <= fit_end and k < len(tokens):
        token = tokens[k]
        if token.kind == "char" and token.char in _BREAKABLE:
            run_start = k
            newlines = 0
            while k < len(tokens) and tokens[k].kind == "char" and tokens[k].char in _BREAKABLE:
                newlines += tokens[k].char == "\n"
                k += 1
            runs.append((run_start, k, newlines, before))
            continue
        if token.kind == "char":
            before = (before + token.char)[-2:]
        k += 1
    return runs


def _ends_sentence(before: str) -> bool:
    if not before:
        return False
    if before[-1] in _SENTENCE_END:
        return True
    return len(before) == 2 and before[-1] in _CLOSERS and before[0] in _SENTENCE_END


def _joins(before: _Token, after: _Token) -> bool:
    """Whether a cut between two characters would split a grapheme cluster."""
    a, b = ord(before.char), ord(after.char)
    if after.char in _GLUE or before.char == "\u200d" or unicodedata.combining(after.char):
        return True
    if 0x1F3FB <= b <= 0x1F3FF or 0xE0020 <= b <= 0xE007F:  # skin tones, tag sequences
        return True
    return 0x1F1E6 <= a <= 0x1F1FF and 0x1F1E6 <= b <= 0x1F1FF  # flags
