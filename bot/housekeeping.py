"""Periodic clean-up while the bot runs: processed updates past the retention window."""

from __future__ import annotations

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.db.repos import Repositories

INTERVAL_SECONDS = 3600.0


class Housekeeping(BackgroundLoop):
    name = "housekeeping"
    longest_nap = INTERVAL_SECONDS

    def __init__(
        self, repo: Repositories, retention_days: float, *, interval: float = INTERVAL_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.repo = repo
        self.retention_seconds = retention_days * 86400
        self.interval = interval
        self.error_pause = interval

    async def turn(self) -> float:
        await self.repo.inbox.prune(self.retention_seconds)
        return self.clock.now() + self.interval
