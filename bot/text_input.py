"""Validation of free-text answers: trimmed, bounded, with letters in them.

Text is stored as typed (after trimming and folding whitespace) and escaped only when shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class TextCheck:
    value: str | None
    problem: str | None = None  # "empty", "too_long", "no_letters"
    limit: int = 0


def clean_text(raw: str | None, limit: int, *, need_letters: bool = True) -> TextCheck:
    if raw is None:
        return TextCheck(None, "empty", limit)
    text = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return TextCheck(None, "empty", limit)
    if len(text) > limit:
        return TextCheck(None, "too_long", limit)
    if need_letters and not any(ch.isalnum() for ch in text):
        return TextCheck(None, "no_letters", limit)
    return TextCheck(text, None, limit)


def parse_number(raw: str | None, low: int, high: int) -> int | None:
    """A whole number within [low, high], as typed: "40", "40%", " 40 % "."""
    if raw is None:
        return None
    match = re.fullmatch(r"\s*(\d{1,6})\s*%?\s*", raw)
    if not match:
        return None
    value = int(match.group(1))
    return value if low <= value <= high else None
