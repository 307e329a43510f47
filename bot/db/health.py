"""Read-only queries for health checks and metrics: is the database answering, and the gauges.

Run at scrape time only (never per update): a handful of indexed counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.db.repository import Repository


@dataclass(frozen=True, slots=True)
class Gauges:
    inbox_pending: int
    inbox_lag_seconds: float  # age of the oldest pending update, 0 when none
    outbox_pending: int
    leads_by_status: dict[str, int] = field(default_factory=dict)


class HealthRepo(Repository):
    async def ping(self) -> bool:
        return await self.db.fetchval("SELECT 1") == 1

    async def gauges(self) -> Gauges:
        inbox = await self.db.fetchone(
            "SELECT count(*), min(received_at) FROM inbox WHERE status = 'pending'"
        )
        outbox = await self.db.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'")
        leads = await self.db.fetchall("SELECT status, count(*) FROM leads GROUP BY status")
        pending, oldest = (inbox[0], inbox[1]) if inbox is not None else (0, None)
        lag = 0.0 if oldest is None else max(0.0, time.time() - float(oldest))
        return Gauges(
            inbox_pending=int(pending),
            inbox_lag_seconds=lag,
            outbox_pending=int(outbox or 0),
            leads_by_status={str(row[0]): int(row[1]) for row in leads},
        )
