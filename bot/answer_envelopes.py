"""Keeps aiogram's answer envelopes (`Response[<type>]`) alive for the life of the process.

aiogram reads every Bot API answer with `Response[method.__returning__]`, a generic model
pydantic creates on first use and caches in a WeakValueDictionary. Made inside a function,
nothing else holds it, so the next full garbage collection frees it and the next call
builds it again: class creation, schema and validator, about 5 ms for `Response[Message]`,
a fifth of the bot's CPU under load before this was found. The middleware below holds each
envelope once the method has been called; there are a few dozen at most.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.request_middleware import AroundRequest, Call

_kept: dict[Any, type[Response[Any]]] = {}


def keep_envelope(returning: Any) -> None:
    """Build `Response[returning]` once and hold it."""
    if returning not in _kept:
        _kept[returning] = Response[returning]


class KeepAnswerEnvelopes(AroundRequest):
    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        keep_envelope(method.__returning__)
        return await call()
