"""Periodic clean-up while the bot runs: processed updates past the retention window."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.db.repos import Repositories

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600.0


class Housekeeping:
    def __init__(
        self, repo: Repositories, retention_days: float, interval: float = INTERVAL_SECONDS
    ) -> None:
        self.repo = repo
        self.retention_seconds = retention_days * 86400
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="housekeeping")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.repo.inbox.prune(self.retention_seconds)
            except Exception:
                log.exception("housekeeping failed")
