"""The daily backup: at BACKUP_HOUR local time (TIMEZONE), plus a catch-up after downtime.

When the newest backup in the folder is more than a day (and an hour) old, or there is none,
one is taken right after start; then every day at the hour. Each backup runs in a thread,
so the bot keeps answering; a failure is logged and counted, and tried again an hour later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.ops.backup import BackupError, list_backups, make_backup
from bot.outbox.clock import Clock

log = logging.getLogger(__name__)

CATCH_UP_AFTER = timedelta(hours=25)
MAX_NAP = 3600.0  # re-read the clock at least hourly (suspend, clock changes)
RETRY_AFTER_FAILURE = timedelta(hours=1)


def next_daily(now: datetime, hour: int, zone: ZoneInfo) -> datetime:
    """The first `hour`:00 in `zone` strictly after `now` (an aware datetime)."""
    local = now.astimezone(zone)
    candidate = datetime(local.year, local.month, local.day, hour, tzinfo=zone)
    if candidate <= local:
        day = local.date() + timedelta(days=1)
        candidate = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    return candidate


class BackupScheduler:
    def __init__(
        self,
        database: Path,
        folder: Path,
        *,
        hour: int,
        timezone: str,
        keep: int,
        clock: Clock | None = None,
        on_failure: Callable[[], None] | None = None,
        on_success: Callable[[Path], None] | None = None,
    ) -> None:
        self.database, self.folder = database, folder
        self.hour, self.zone, self.keep = hour, ZoneInfo(timezone), keep
        self.clock = clock or Clock()
        self.on_failure, self.on_success = on_failure, on_success
        self._retry_at: datetime | None = None  # set by a failure: try again then
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), self.zone)

    def due(self) -> datetime:
        """When the next backup is due: an hour after a failure; now when the newest backup
        is missing or stale; else the next BACKUP_HOUR."""
        now = self._now()
        if self._retry_at is not None:
            return max(now, self._retry_at)
        backups = list_backups(self.folder)
        if not backups or now - backups[-1].taken_at > CATCH_UP_AFTER:
            return now
        return next_daily(now, self.hour, self.zone)

    async def backup_now(self) -> Path | None:
        try:
            path = await asyncio.to_thread(
                make_backup, self.database, self.folder, self.keep, now=self._now()
            )
        except Exception as error:
            if isinstance(error, BackupError):
                log.error("daily backup failed (next try in an hour): %s", error)
            else:
                log.exception("daily backup failed (next try in an hour)")
            self._retry_at = self._now() + RETRY_AFTER_FAILURE
            if self.on_failure is not None:
                self.on_failure()
            return None
        self._retry_at = None
        if self.on_success is not None:
            self.on_success(path)
        return path

    def start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(), name="backup-scheduler")
        return self._task

    async def stop(self) -> None:
        """Stop waiting; a backup already running is let finish (it cannot be interrupted)."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        log.info("daily backups into %s at %02d:00 %s", self.folder, self.hour, self.zone.key)
        while not self._stopping.is_set():
            # Fixed while waiting: recomputed at 03:00, "the next 03:00" is tomorrow's.
            due = self.due().timestamp()
            while self.clock.now() < due and not self._stopping.is_set():
                await self.clock.sleep_until(min(due, self.clock.now() + MAX_NAP), self._stopping)
            if not self._stopping.is_set():
                await self.backup_now()
