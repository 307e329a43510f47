"""Request middleware that retries Bot API calls on throttling and transient failures.

429 waits `retry_after` (bounded), server and network errors back off exponentially. Client
errors (400/403) are final and go straight back to the caller. getUpdates is left to the
intake loop, which has its own backoff, and so is every call made inside `direct_calls()`:
the outbox sender reschedules its rows itself instead of sleeping inside a request.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractContextManager
from contextvars import ContextVar

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, AnswerInlineQuery, GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.context_values import set_for_block
from bot.request_middleware import AroundRequest, Call

log = logging.getLogger(__name__)

_direct: ContextVar[bool] = ContextVar("telegram_direct_calls", default=False)

PASSING = (TelegramServerError, TelegramNetworkError)
"""Failures that may pass (a server error, a lost connection): the same call is worth trying
again after a while (429 says itself how long: `TelegramRetryAfter`)."""
REFUSED = (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound)
"""Telegram's final no to a call (400, 403, 404): the same call gets the same answer."""


def direct_calls() -> AbstractContextManager[None]:
    """Bot API calls made in this context (this task) fail fast: no inline retries."""
    return set_for_block(_direct, True)


class RetryMiddleware(AroundRequest):
    def __init__(
        self, attempts: int = 4, base_delay: float = 0.5, max_retry_after: float = 60.0
    ) -> None:
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_retry_after = max_retry_after

    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates) or _direct.get():
            return await call()
        attempt = 1
        while True:
            try:
                return await call()
            except TelegramRetryAfter as error:
                if attempt >= self.attempts or error.retry_after > self.max_retry_after:
                    raise
                delay: float = error.retry_after
            except PASSING as error:
                if attempt >= self.attempts:
                    raise
                delay = self.base_delay * 2 ** (attempt - 1)
                log.warning(
                    "%s failed (%s), retry %d in %.1fs",
                    method.__api_method__,
                    type(error).__name__,
                    attempt,
                    delay,
                )
            attempt += 1
            await asyncio.sleep(delay)


class ExpiredCallbackMiddleware(AroundRequest):
    """Answering a callback or inline query Telegram no longer knows (a replay after a
    restart, or a slow answer) is harmless: treat "query is too old" as answered instead of
    failing the handler that would otherwise go on to show the person what they asked for."""

    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        try:
            return await call()
        except TelegramBadRequest as error:
            if isinstance(method, AnswerCallbackQuery) and "query is too old" in error.message:
                log.info(
                    "callback query %s expired before it was answered", method.callback_query_id
                )
                # Middlewares hand results (not Response envelopes) back up the chain.
                return True  # type: ignore[return-value]
            if isinstance(method, AnswerInlineQuery) and "query is too old" in error.message:
                log.info("inline query %s expired before it was answered", method.inline_query_id)
                return True  # type: ignore[return-value]
            raise
