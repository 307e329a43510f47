"""SLA reminders: a lead nobody took within `sla_minutes` gets one reminder in the group;
still waiting at twice that, it escalates to the admins, each told in private once.

The watcher only writes: the reminder (or the admins' alerts) goes into the outbox together
with the lead's "reminded" (or "escalated") mark, in one transaction with a dedup key per
new-period; the sender posts the reminder as a reply to the card, in the lead's thread.
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
        self.escalated: list[int] = []  # leads escalated to the admins by the last check
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> list[int]:
        """Enqueue reminders for every overdue lead, and alerts about those twice overdue;
        returns the ids of the reminded leads (the escalated ones are `escalated`)."""
        now = self.clock.now()
        minutes = self.settings.sla_minutes
        due = await self.repo.pipeline.enqueue_sla_reminders(now - minutes * 60, now)
        if due:
            log.info("SLA reminders queued for leads %s", due)
        late = await self.repo.pipeline.enqueue_sla_escalations(
            now - 2 * minutes * 60, now, sorted(self.settings.admin_ids), 2 * minutes
        )
        if late:
            log.info("SLA escalated to the admins for leads %s", late)
        if due or late:
            self.wakeup.set()
        self.escalated = late
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
