"""Bot API request middlewares written as what they do around one request.

aiogram calls a request middleware with the rest of the chain, the bot and the method. The
bot's own middlewares only look at the method and send the request on (once, again on a
retry, or not at all), so `AroundRequest` takes aiogram's call in one place and hands each
of them the method and `call`, which sends it down the rest of the chain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

# Sends the request at hand down the rest of the chain; it may be awaited more than once.
Call = Callable[[], Awaitable[Response[TelegramType]]]


class AroundRequest(BaseRequestMiddleware):
    """A request middleware: subclasses implement `around(method, call)`."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        return await self.around(method, partial(make_request, bot, method))

    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        raise NotImplementedError
