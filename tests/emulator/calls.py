"""Calling the emulator's Bot API directly: `call` gives the result, `error_of` the error it
answers with instead, `refusal` that error's description."""

from __future__ import annotations

from typing import Any

import pytest

from bot.emulator import ApiError, BotWorld, call_method


async def call(world: BotWorld, method: str, **params: Any) -> Any:
    return await call_method(world, method, params)


async def error_of(world: BotWorld, method: str, **params: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call(world, method, **params)
    return caught.value


async def refusal(world: BotWorld, method: str, **params: Any) -> str:
    return (await error_of(world, method, **params)).description
