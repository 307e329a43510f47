"""Messages the bot posted in the last second, counted as Telegram counts them.

Telegram allows a bot about 30 messages a second in all (send*, copy and forward methods;
answering a callback query is not a message). The reminder sender takes only what live
answers leave of that: before each reminder it waits until the bot posted fewer than
`TELEGRAM_PER_SECOND - ROOM` messages in the last second, and fewer than its own cap of
reminders. So a spike of live answers slows reminders down, never the other way round.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.request_middleware import AroundRequest, Call

TELEGRAM_PER_SECOND = 30
ROOM = 2  # always left free for live answers
WINDOW = 1.0
_ALSO = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def posts_message(api_method: str) -> bool:
    name = api_method.lower()
    return (name.startswith("send") and name != "sendchataction") or name in _ALSO


class SentWindow(AroundRequest):
    """A request middleware: the times of the messages the bot posted in the last second."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._sent: deque[float] = deque()

    @classmethod
    def of(cls, bot: Bot) -> SentWindow:
        """The window counting `bot`'s calls (registered on its session once)."""
        for middleware in bot.session.middleware:
            if isinstance(middleware, cls):
                return middleware
        window = cls()
        bot.session.middleware(window)
        return window

    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        if posts_message(method.__api_method__):
            now = self.clock()
            sent = self._sent
            sent.append(now)
            while sent[0] <= now - WINDOW:  # only the last second is kept, whoever reads it
                sent.popleft()
        return await call()

    def count(self) -> int:
        """Messages posted in the last second."""
        now = self.clock()
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()
        return len(self._sent)

    def wait_for_room(self, limit: int) -> float:
        """Seconds until fewer than `limit` messages were posted in the last second."""
        surplus = self.count() - limit
        if surplus < 0:
            return 0.0
        return max(self._sent[surplus] + WINDOW - self.clock(), 0.001)
