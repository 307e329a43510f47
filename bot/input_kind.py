"""Classify what a person sent, so hints can say "this was a sticker" and re-ask properly."""

from __future__ import annotations

from aiogram.types import Message

KNOWN_KINDS = {"sticker", "photo", "voice"}


def input_kind(message: Message) -> str:
    if message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    content_type = message.content_type
    kind = getattr(content_type, "value", content_type)
    return kind if kind in KNOWN_KINDS else "other"
