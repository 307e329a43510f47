"""Registry of emulated Bot API methods: name → handler, case-insensitive like Telegram."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.params import Upload
    from bot.emulator.world import BotWorld


@dataclass(slots=True)
class Call:
    """One Bot API request as a method handler sees it."""

    world: BotWorld
    params: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name: str  # Telegram's spelling, e.g. "sendMessage"
    handler: Callable[[Call], Any]
    is_async: bool


REGISTRY: dict[str, MethodSpec] = {}


def api_method(*names: str) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
    def register(handler: Callable[[Call], Any]) -> Callable[[Call], Any]:
        is_async = inspect.iscoroutinefunction(handler)
        for name in names:
            REGISTRY[name.lower()] = MethodSpec(name, handler, is_async)
        return handler

    return register
