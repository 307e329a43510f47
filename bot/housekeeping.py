"""Periodic clean-up while the bot runs: processed updates past the retention window, and the
WAL copied into the database file off the writer's path (`Checkpoints`)."""

from __future__ import annotations

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.db.database import Database
from bot.db.repos import Repositories

INTERVAL_SECONDS = 3600.0
CHECKPOINT_SECONDS = 1.0


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


class Checkpoints(BackgroundLoop):
    """Every `interval` seconds, the WAL's new pages into the database file (see
    bot/db/database.py: AUTOCHECKPOINT_PAGES)."""

    name = "checkpoints"
    longest_nap = CHECKPOINT_SECONDS

    def __init__(
        self, db: Database, *, interval: float = CHECKPOINT_SECONDS, clock: Clock | None = None
    ) -> None:
        super().__init__(clock=clock)
        self.db = db
        self.interval = interval
        self.error_pause = interval

    async def turn(self) -> float:
        await self.db.checkpoint()
        return self.clock.now() + self.interval
