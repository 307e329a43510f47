"""Bot API method implementations, registered by name in `registry.REGISTRY`."""

from bot.emulator.methods import (
    bot_settings,
    chats,
    media,
    messages,
    queries,
    reactions,
    topics,
    updates,
)
from bot.emulator.methods.registry import REGISTRY, Call, MethodSpec

__all__ = [
    "REGISTRY",
    "Call",
    "MethodSpec",
    "bot_settings",
    "chats",
    "media",
    "messages",
    "queries",
    "reactions",
    "topics",
    "updates",
]
