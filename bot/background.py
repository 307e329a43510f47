"""The one way the bot runs work in the background: a `BackgroundLoop` does a round of work
(`turn`) and says when to come round again; `start`, `wake` and `stop` are the same for all.

Subclasses are the outbox sender, the reply sender, the SLA watcher, housekeeping and the
daily backup. A turn that raises is logged and tried again after `error_pause`; a wake-up
cuts the wait short; `stop` lets the turn in progress finish within `grace`, then cancels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

from bot.clock import Clock

log = logging.getLogger(__name__)


class BackgroundLoop:
    name = "background"
    error_pause = 5.0  # seconds before a turn that raised is tried again
    longest_nap = 60.0  # come round at least this often (a clock may jump)

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.wakeup = asyncio.Event()
        """Set it to make the loop take its next turn now."""
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def setup(self) -> None:
        """Before the first turn (once per start)."""

    async def turn(self) -> float:
        """One round of work; returns when to come round again (unix time, inf: when woken)."""
        raise NotImplementedError

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name=self.name)
        return self._task

    def wake(self) -> None:
        self.wakeup.set()

    async def stop(self, grace: float = 5.0) -> None:
        """Let the turn in progress finish (up to `grace` seconds), then stop."""
        self._stopping.set()
        self.wakeup.set()
        task, self._task = self._task, None
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        await self.setup()
        while not self._stopping.is_set():
            self.wakeup.clear()
            try:
                due = await self.turn()
            except Exception:  # the loop must outlive any one bad turn
                log.exception("%s: a turn failed", self.name)
                due = self.clock.now() + self.error_pause
            if self._stopping.is_set():
                break
            now = self.clock.now()
            deadline = min(due if not math.isnan(due) else now, now + self.longest_nap)
            await self.clock.sleep_until(deadline, self.wakeup)
