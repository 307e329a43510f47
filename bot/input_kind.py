"""Classify what a person sent, so hints can say "this was a sticker" and re-ask properly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.types import Message

if TYPE_CHECKING:
    from bot.content import Content

KNOWN_KINDS = {"sticker", "photo", "voice"}


def input_kind(message: Message) -> str:
    if message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    content_type = message.content_type
    kind = getattr(content_type, "value", content_type)
    return kind if kind in KNOWN_KINDS else "other"


def unknown_input_hint(content: Content, message: Message, where: str, lesson: int) -> str:
    """The hint for a message nobody expected: what it was, said for `where` the owner is
    ("lesson" while reading lesson `lesson`, "menu" elsewhere)."""
    return content.render(
        "messages/unknown_input.html",
        where=where,
        kind=input_kind(message),
        lesson=lesson,
        total=content.lesson_count,
    )
