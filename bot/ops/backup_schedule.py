"""The daily backup: at BACKUP_HOUR local time (TIMEZONE), plus a catch-up after downtime.

When the newest backup in the folder is more than a day (and an hour) old, or there is none,
one is taken right after start; then every day at the hour. Each backup runs in a thread,
so the bot keeps answering; a failure is logged and counted, and tried again an hour later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.ops.backup import BackupError, list_backups, make_backup

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


class BackupScheduler(BackgroundLoop):
    name = "backup-scheduler"
    longest_nap = MAX_NAP

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
        super().__init__(clock=clock)
        self.hour, self.zone, self.keep = hour, ZoneInfo(timezone), keep
        self.on_failure, self.on_success = on_failure, on_success
        self._retry_at: datetime | None = None  # set by a failure: try again then
        self._due: float | None = None  # the backup being waited for

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

    async def setup(self) -> None:
        log.info("daily backups into %s at %02d:00 %s", self.folder, self.hour, self.zone.key)

    async def turn(self) -> float:
        # Fixed while waiting: recomputed at 03:00, "the next 03:00" is tomorrow's.
        if self._due is None:
            self._due = self.due().timestamp()
        if self.clock.now() >= self._due:
            self._due = None
            await self.backup_now()
            return self.clock.now()
        return self._due
