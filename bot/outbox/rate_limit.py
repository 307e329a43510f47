"""A sliding one-minute window per chat: at most `limit` messages in any `period` seconds."""

from __future__ import annotations

from collections import deque


class SlidingWindow:
    def __init__(self, limit: int, period: float = 60.0) -> None:
        self.limit = limit
        self.period = period
        self._sent: dict[int, deque[float]] = {}

    def delay(self, chat_id: int, now: float) -> float:
        """Seconds until one more message to `chat_id` fits the window (0 when it fits)."""
        sent = self._sent.get(chat_id)
        if not sent:
            return 0.0
        while sent and sent[0] <= now - self.period:
            sent.popleft()
        if len(sent) < self.limit:
            return 0.0
        return sent[0] + self.period - now

    def record(self, chat_id: int, at: float) -> None:
        self._sent.setdefault(chat_id, deque()).append(at)

    def seed(self, chat_id: int, times: list[float]) -> None:
        """Messages sent before a restart still count."""
        self._sent[chat_id] = deque(sorted(times))
