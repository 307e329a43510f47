"""Time for the background loops, injectable: tests move a `ShiftedClock` forward instead
of sleeping (a 429 with retry_after=3 is tested without waiting 3 seconds)."""

from __future__ import annotations

import asyncio
import contextlib
import time


class Clock:
    """Wall-clock time (unix seconds) and waiting that a wake-up event can cut short."""

    def now(self) -> float:
        return time.time()

    async def sleep_until(self, deadline: float, wake: asyncio.Event) -> None:
        """Return at `deadline` or as soon as `wake` is set, whichever is first."""
        timeout = deadline - self.now()
        if timeout <= 0 or wake.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout)


class ShiftedClock(Clock):
    """Real time plus a shift that `advance()` moves forward (and wakes the sleepers)."""

    def __init__(self) -> None:
        self.shift = 0.0
        self._moved = asyncio.Event()

    def now(self) -> float:
        return time.time() + self.shift

    def advance(self, seconds: float) -> None:
        self.shift += seconds
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def sleep_until(self, deadline: float, wake: asyncio.Event) -> None:
        while not wake.is_set():
            timeout = deadline - self.now()
            if timeout <= 0:
                return
            waiters = {
                asyncio.ensure_future(wake.wait()),
                asyncio.ensure_future(self._moved.wait()),
            }
            try:
                await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
