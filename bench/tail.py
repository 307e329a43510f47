"""ReplyTail: the one reader of a world's event log during a benchmark.

A single task long-polls `BotWorld.wait_events` and hands every bot message or edit to the
futures waiting for it in that chat, so 200 owners cost one waiter, not 200 scans of the log.
Timestamps are the emulator's (`Event.ts`, taken when the Bot API call changed the world).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass

from bench.scripts import Ready
from bot.emulator.models import Event, StoredMessage
from bot.emulator.world import BotWorld

REPLY_KINDS = frozenset({"message", "edit"})


@dataclass(slots=True)
class _Waiter:
    after_seq: int
    ready: Ready | None
    future: asyncio.Future[Event]


class ReplyTail:
    def __init__(self, world: BotWorld) -> None:
        self.world = world
        self.cursor = world.last_seq
        self.last_reply: Event | None = None
        self._replies: dict[int, list[Event]] = defaultdict(list)
        self._waiters: dict[int, list[_Waiter]] = defaultdict(list)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow(), name="reply-tail")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.future.cancel()

    def wait(
        self, chat_id: int, after_seq: int, ready: Ready | None = None
    ) -> asyncio.Future[Event]:
        """The first bot message/edit in `chat_id` after `after_seq` (that `ready` accepts)."""
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        for event in self._replies.get(chat_id, ()):
            if event.seq > after_seq and _accepts(ready, event.message):
                future.set_result(event)
                return future
        self._waiters[chat_id].append(_Waiter(after_seq, ready, future))
        return future

    async def _follow(self) -> None:
        while True:
            events = await self.world.wait_events(self.cursor, 1.0)
            for event in events:
                self.cursor = event.seq
                message = event.message
                if event.kind in REPLY_KINDS and message is not None and message.from_bot:
                    self._deliver(event)

    def _deliver(self, event: Event) -> None:
        chat_id = event.chat_id
        assert chat_id is not None
        self.last_reply = event
        self._replies[chat_id].append(event)
        waiters = self._waiters.get(chat_id)
        if not waiters:
            return
        keep = []
        for waiter in waiters:
            if waiter.future.done():
                continue
            if event.seq > waiter.after_seq and _accepts(waiter.ready, event.message):
                waiter.future.set_result(event)
            else:
                keep.append(waiter)
        self._waiters[chat_id] = keep


def _accepts(ready: Ready | None, message: StoredMessage | None) -> bool:
    return ready is None or (message is not None and ready(message))
