"""SLA reminders: a lead nobody took within `sla_minutes` gets one reminder in the group;
still waiting at twice that, it escalates to the admins, each told in private once.

The watcher only writes: the reminder (or the admins' alerts) goes into the outbox together
with the lead's "reminded" (or "escalated") mark, in one transaction with a dedup key per
new-period; the sender posts the reminder as a reply to the card, in the lead's thread.
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
        self.escalated: list[int] = []  # leads escalated to the admins by the last check

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
            self.outbox.set()
        self.escalated = late
        return due

    async def turn(self) -> float:
        await self.check()
        return self.clock.now() + self.interval
