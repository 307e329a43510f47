"""Recognising a lead's card among the bot's messages in the consultants' group."""

from __future__ import annotations

import re

TOMBSTONE = "🗑"


def is_card_of(lead_id: int, text: str, *, tombstones: bool = False) -> bool:
    """Whether `text` is a card of this lead: its first line is «<icon> [Новая ]заявка №N…»,
    whatever the status; a tombstone («🗑 Заявка №N удалена…») only when asked."""
    first = text.split("\n", 1)[0]
    match = re.match(rf"(\S+) (?:Новая заявка|Заявка) №{lead_id}(?: |$)", first)
    if match is None:
        return False
    return tombstones or match.group(1) != TOMBSTONE
