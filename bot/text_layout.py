"""Glued lines: the marks a lost line break leaves in a message's visible text.

When a template loses a line break (as `trim_blocks` did after `{% endif %}` at a line end),
the next line is glued to the previous value with no space: «…60%2. дилеры»,
«интернет-магазинИмя: Ольга», «…от предыдущегоУрок 2: 1». Russian text never has these
shapes on purpose, so the content check and the golden renders report them:

* a capitalised Cyrillic word right after a lowercase letter, a digit, «%», «»» or «)»;
* a list number («2. ») right after a letter, «%» or «»»;
* a bullet («•») right after a visible character.
"""

from __future__ import annotations

import re

_GLUED = (
    (re.compile(r"[a-zа-яё0-9%)»][А-ЯЁ][а-яё]"), "a capitalised word glued to the text before it"),
    (re.compile(r"[A-Za-zА-Яа-яЁё%»)]\d{1,2}\. \S"), "a list number glued to the text before it"),
    (re.compile(r"\S•"), "a bullet glued to the text before it"),
)


def glued_lines(text: str) -> list[str]:
    """What looks like two lines run together in `text`, each with its surroundings."""
    found = []
    for pattern, what in _GLUED:
        for match in pattern.finditer(text):
            start = max(match.start() - 20, 0)
            around = text[start : match.end() + 20].replace("\n", "⏎")
            found.append(f"{what}: «…{around}…»")
    return found
