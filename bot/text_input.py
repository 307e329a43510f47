"""Validation of free-text answers: trimmed, bounded, with letters in them.

Text is stored as typed (after trimming and folding whitespace) and escaped only when shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
ZWJ = "\u200d"
VS16 = "\ufe0f"
KEYCAP = "\u20e3"
SKIN_TONES = range(0x1F3FB, 0x1F400)
# A subdivision flag (🏴 England, Scotland, Wales): black flag, tag letters, cancel tag.
_TAG_SEQUENCE = re.compile("\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F")


@dataclass(frozen=True, slots=True)
class TextCheck:
    value: str | None
    problem: str | None = None  # "empty", "too_long", "no_letters"
    limit: int = 0


def clean_text(raw: str | None, limit: int, *, need_letters: bool = True) -> TextCheck:
    if raw is None:
        return TextCheck(None, "empty", limit)
    text = _SPACES.sub(" ", strip_controls(raw)).strip()
    if not text:
        return TextCheck(None, "empty", limit)
    if len(text) > limit:
        return TextCheck(None, "too_long", limit)
    if need_letters and not any(ch.isalnum() for ch in text):
        return TextCheck(None, "no_letters", limit)
    return TextCheck(text, None, limit)


def strip_controls(raw: str) -> str:
    """`raw` without control and format characters (NUL, bidi overrides, zero-width ones,
    private use...), except those an emoji is made of: the zero-width joiner between two
    pictographs (👨‍💻, 👩‍👩‍👧) and the tags of a subdivision flag. Newlines and tabs stay."""
    tagged = {i for match in _TAG_SEQUENCE.finditer(raw) for i in range(*match.span())}
    kept: list[str] = []
    for index, ch in enumerate(raw):
        if unicodedata.category(ch)[0] != "C" or ch in "\n\t" or index in tagged:
            kept.append(ch)
        elif ch == ZWJ and kept and _emoji_end(kept[-1]) and _pictograph(raw[index + 1 : index + 2]):
            kept.append(ch)
    return "".join(kept)


def _pictograph(ch: str) -> bool:
    return len(ch) == 1 and unicodedata.category(ch) == "So"


def _emoji_end(ch: str) -> bool:
    """What an emoji that a joiner may follow ends with: the pictograph itself, its emoji
    presentation selector, a skin tone or a keycap mark."""
    return _pictograph(ch) or ch in (VS16, KEYCAP) or ord(ch) in SKIN_TONES


def parse_number(raw: str | None, low: int, high: int) -> int | None:
    """A whole number within [low, high], as typed: "40", "40%", " 40 % "."""
    if raw is None:
        return None
    match = re.fullmatch(r"\s*(\d{1,6})\s*%?\s*", raw)
    if not match:
        return None
    value = int(match.group(1))
    return value if low <= value <= high else None
