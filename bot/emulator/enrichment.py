"""Answers with more in them: what a richer or newer Telegram could return (off by default).

`Emulator(response_enrichment=ResponseEnrichment(seed=7))` makes every object a Bot API method
returns carry a random subset of the optional fields its aiogram type allows (nested objects
too, to a bounded depth; `link_preview_options` and others that aiogram fills with Default
placeholders among them) and `emulator_future_field`, a field no Bot API version has: a bot
that survives it survives any valid answer and the next Bot API version. Fields Telegram
already returned keep their values, so the answer still means what it meant. Updates
(getUpdates) are what people did, not answers, and stay as they are; so does the call log.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.schema_samples import SchemaSampler

NOT_ENRICHED = frozenset({"getupdates"})


@dataclass
class ResponseEnrichment:
    seed: int = 0
    optional_share: float = 0.3  # of the optional fields missing from an object
    max_depth: int = 2
    unknown_field: bool = True
    _sampler: SchemaSampler = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sampler = SchemaSampler(
            random.Random(self.seed), max_depth=self.max_depth, optional_share=self.optional_share
        )

    def apply(self, method: str, result: Any) -> Any:
        """`result` of `method` with extra fields (a new object; `result` is not changed)."""
        name = method.lower()
        if name in NOT_ENRICHED:
            return result
        returning = return_types().get(name)
        if returning is None:
            return result
        return self._sampler.enrich(returning, result, unknown=self.unknown_field)


@functools.cache
def return_types() -> dict[str, Any]:
    """Bot API method name (lower case) → the type aiogram reads its answer as."""
    import aiogram.methods
    from aiogram.methods.base import TelegramMethod

    found: dict[str, Any] = {}
    for name in aiogram.methods.__all__:
        method = getattr(aiogram.methods, name)
        if isinstance(method, type) and issubclass(method, TelegramMethod):
            api_name = getattr(method, "__api_method__", None)
            if isinstance(api_name, str):
                found[api_name.lower()] = method.__returning__
    return found
