"""SLA reminders: a lead nobody claimed within `sla_minutes` gets one reminder in the group.

The watcher only writes: the reminder row goes into the outbox together with the lead's
"reminded" mark (one transaction, dedup key per new-period), and the sender posts it as a
reply to the card.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.config import Settings
from bot.db.repos import Repositories
from bot.outbox.clock import Clock

log = logging.getLogger(__name__)


class SlaWatcher:
    def __init__(
        self,
        repo: Repositories,
        settings: Settings,
        wakeup: asyncio.Event,
        *,
        clock: Clock | None = None,
        interval: float = 30.0,
    ) -> None:
        self.repo, self.settings, self.wakeup = repo, settings, wakeup
        self.clock = clock or Clock()
        self.interval = interval
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> list[int]:
        """Enqueue reminders for every overdue lead; returns their ids."""
        now = self.clock.now()
        due = await self.repo.pipeline.enqueue_sla_reminders(
            now - self.settings.sla_minutes * 60, now
        )
        if due:
            log.info("SLA reminders queued for leads %s", due)
            self.wakeup.set()
        return due

    def start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(), name="sla-watcher")
        return self._task

    async def stop(self) -> None:
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.check()
            except Exception:  # try again next round
                log.exception("SLA check failed")
            await self.clock.sleep_until(self.clock.now() + self.interval, self._stopping)
