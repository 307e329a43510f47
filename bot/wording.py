"""Wording rules for every text the bot writes in its own voice (the lessons are the article's).

* One voice: the bot speaks for the firm as «мы», never as «я» («Фото я не смогу разобрать»).
* Forms that fit everyone: no gendered form with the other gender in brackets
  («передумал(а)», «взял(а)», «он(а)»): the bot does not know who reads, so it words the
  sentence so that no form is needed («Дать согласие», «В работе: Анна Иванова»).
"""

from __future__ import annotations

import re

_RULES = (
    (
        re.compile(r"(?<![\w-])я(?![\w-])", re.IGNORECASE),
        "speaks as «я»: the bot's voice is «мы»",
    ),
    (
        re.compile(r"[а-яё]\([а-яё]{1,2}\)", re.IGNORECASE),
        "a gendered form with brackets: word it so that it fits everyone",
    ),
)


def wording_problems(text: str) -> list[str]:
    """Each rule `text` breaks, with the words that break it."""
    found = []
    for pattern, what in _RULES:
        for match in pattern.finditer(text):
            start = max(match.start() - 15, 0)
            found.append(f"{what}: «…{text[start:match.end() + 15]}…»".replace("\n", "⏎"))
    return found
