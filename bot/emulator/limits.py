"""Telegram's flood limits for bots (off by default): 429 "Too Many Requests: retry after N".

Telegram's FAQ for bot developers: in a single chat avoid more than one message per second
(short bursts are tolerated), no more than 20 messages per minute to the same group, and
about 30 messages per second in total. `RateLimits` holds those figures; `RateLimiter`
enforces them on the methods that post a message (send*, copyMessage, forwardMessage):
a token bucket per private chat (sustained rate with a small burst), a sliding minute per
group, a sliding second over everything. A refused call has no effect and does not count.
The clock is injectable so that tests step time instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.emulator.models import ChatRecord

Clock = Callable[[], float]
NOT_MESSAGES = frozenset({"sendchataction"})
ALSO_MESSAGES = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def posts_messages(method: str) -> bool:
    name = method.lower()
    return (name.startswith("send") and name not in NOT_MESSAGES) or name in ALSO_MESSAGES


@dataclass(frozen=True)
class RateLimits:
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    total_per_second: int = 30


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    limits: RateLimits = field(default_factory=RateLimits)
    clock: Clock = time.monotonic
    _private: dict[int, _Bucket] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _total: deque[float] = field(default_factory=deque)
    refused: int = 0  # 429s answered so far

    def retry_after(self, chat: ChatRecord) -> int | None:
        """Seconds to wait before a message to `chat` would be accepted; None: now."""
        now = self.clock()
        waits = [self._window_wait(self._total, 1.0, self.limits.total_per_second, now)]
        if chat.is_private:
            bucket = self._refill(chat.id, now)
            if bucket.tokens < 1.0:
                waits.append((1.0 - bucket.tokens) / self.limits.private_per_second)
        else:
            sent = self._groups.setdefault(chat.id, deque())
            waits.append(self._window_wait(sent, 60.0, self.limits.group_per_minute, now))
        wait = max(waits)
        if wait <= 0:
            return None
        self.refused += 1
        return max(1, math.ceil(wait))

    def record(self, chat: ChatRecord) -> None:
        """A message went out to `chat`."""
        now = self.clock()
        self._total.append(now)
        if chat.is_private:
            self._refill(chat.id, now).tokens -= 1.0
        else:
            self._groups.setdefault(chat.id, deque()).append(now)

    def _refill(self, chat_id: int, now: float) -> _Bucket:
        limits = self.limits
        bucket = self._private.get(chat_id)
        if bucket is None:
            bucket = self._private[chat_id] = _Bucket(float(limits.private_burst), now)
        bucket.tokens = min(
            float(limits.private_burst),
            bucket.tokens + (now - bucket.at) * limits.private_per_second,
        )
        bucket.at = now
        return bucket

    @staticmethod
    def _window_wait(sent: deque[float], window: float, allowed: int, now: float) -> float:
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) < allowed:
            return 0.0
        return sent[len(sent) - allowed] + window - now
