"""The outbox sender's calls skip the inline retries every other call gets."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage

from bot.telegram_retry import RetryMiddleware, direct_calls


class Flaky:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, bot: Any, method: Any) -> str:
        self.calls += 1
        if self.calls == 1:
            raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=0)
        return "ok"


async def test_a_handlers_call_is_retried_inline() -> None:
    flaky = Flaky()
    result = await RetryMiddleware()(flaky, None, SendMessage(chat_id=1, text="x"))  # type: ignore[arg-type]
    assert result == "ok" and flaky.calls == 2


async def test_a_call_inside_direct_calls_fails_fast_with_the_429() -> None:
    flaky = Flaky()
    with direct_calls(), pytest.raises(TelegramRetryAfter):
        await RetryMiddleware()(flaky, None, SendMessage(chat_id=1, text="x"))  # type: ignore[arg-type]
    assert flaky.calls == 1
    # Outside the block the ordinary behaviour is back.
    assert await RetryMiddleware()(flaky, None, SendMessage(chat_id=1, text="x")) == "ok"  # type: ignore[arg-type]
