"""In-process error counters and the middlewares that feed them.

Only counters live here, bumped in memory when something goes wrong (no database work per
update). Gauges that need the database are read at scrape time by the status server.

Error kinds: `handler:<ExceptionClass>` for an exception escaping a handler, and
`telegram:<code>` for a failed Bot API call (`telegram:400`, `telegram:429`, `telegram:5xx`,
`telegram:network`), each attempt of a retried call counted.
"""

from __future__ import annotations

import time
from collections import Counter

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.request_middleware import AroundRequest, Call

# aiogram keeps the HTTP status only in the exception class; most specific first.
_CODES: tuple[tuple[type[Exception], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramNetworkError, "network"),
    (TelegramServerError, "5xx"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramBadRequest, "400"),  # includes TelegramMigrateToChat
)


def telegram_error_kind(error: Exception) -> str:
    for cls, code in _CODES:
        if isinstance(error, cls):
            return f"telegram:{code}"
    return "telegram:other"


class Metrics:
    """Counters since the process started."""

    def __init__(self) -> None:
        self.started_at = time.time()
        self.errors: Counter[str] = Counter()

    def count_error(self, kind: str) -> None:
        self.errors[kind] += 1


class TelegramErrorMetrics(AroundRequest):
    """Innermost request middleware: counts every failed Bot API attempt by its code."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        try:
            return await call()
        except TelegramAPIError as error:
            self.metrics.count_error(telegram_error_kind(error))
            raise
