"""Calling the emulator's Bot API directly: `call` gives the result, `error_of` the error it
answers with instead, `refusal` that error's description. `switched_on`: a started owner,
and a world setting turned on over the control API."""

from __future__ import annotations

from typing import Any

import pytest

from bot.emulator import ApiError, BotWorld, call_method
from tests.kit.client import RemoteBot


async def call(world: BotWorld, method: str, **params: Any) -> Any:
    return await call_method(world, method, params)


async def error_of(world: BotWorld, method: str, **params: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call(world, method, **params)
    return caught.value


async def refusal(world: BotWorld, method: str, **params: Any) -> str:
    return (await error_of(world, method, **params)).description


async def switched_on(remote: RemoteBot, owner: int, setting: str, value: Any) -> None:
    """`owner` has started the bot; then `setting` is turned on with `value` over the control
    API, which says it is on."""
    await remote.add_user(user_id=owner, first_name="Ольга", started=True)
    info = await remote.settings(**{setting: value})
    assert info[setting] is True
