"""A wake-up signal that synchronous code can fire and many coroutines can await.

`asyncio.Condition.notify_all` needs the lock, which synchronous world code cannot take; this
signal resolves one shared future instead, so firing is O(1) and never blocks.
"""

from __future__ import annotations

import asyncio


class Signal:
    __slots__ = ("_future",)

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def fire(self) -> None:
        future, self._future = self._future, None
        if future is not None and not future.done():
            try:
                future.set_result(None)
            except RuntimeError:  # its event loop is closed; nobody can be waiting on it
                pass

    async def wait(self, seconds: float) -> bool:
        """Wait until the next `fire()` or `seconds`; True when fired."""
        if seconds <= 0:
            return False
        loop = asyncio.get_running_loop()
        future = self._future
        if future is None or future.done() or future.get_loop() is not loop:
            future = self._future = loop.create_future()
        done, _ = await asyncio.wait((future,), timeout=seconds)
        return bool(done)
