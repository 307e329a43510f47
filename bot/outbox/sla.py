"""SLA reminders: a lead nobody claimed within `sla_minutes` gets one reminder in the group.

The watcher only writes: the reminder row goes into the outbox together with the lead's
"reminded" mark (one transaction, dedup key per new-period), and the sender posts it as a
reply to the card.
"""

from __future__ import annotations

import asyncio
import logging

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.config import Settings
from bot.db.repos import Repositories

log = logging.getLogger(__name__)


class SlaWatcher(BackgroundLoop):
    name = "sla-watcher"

    def __init__(
        self,
        repo: Repositories,
        settings: Settings,
        outbox: asyncio.Event,
        *,
        clock: Clock | None = None,
        interval: float = 30.0,
    ) -> None:
        """`outbox`: the outbox sender's wake-up, set when reminders were queued."""
        super().__init__(clock=clock)
        self.repo, self.settings, self.outbox = repo, settings, outbox
        self.interval = interval

    async def check(self) -> list[int]:
        """Enqueue reminders for every overdue lead; returns their ids."""
        now = self.clock.now()
        due = await self.repo.pipeline.enqueue_sla_reminders(
            now - self.settings.sla_minutes * 60, now
        )
        if due:
            log.info("SLA reminders queued for leads %s", due)
            self.outbox.set()
        return due

    async def turn(self) -> float:
        await self.check()
        return self.clock.now() + self.interval
