"""Local HTTP server for operators: `/healthz` and `/metrics` (Prometheus text format).

/healthz answers 200 with a small JSON when the database answers and the intake (polling
loop or webhook server) is alive, 503 with the same JSON otherwise. /metrics reads the
in-memory counters and, at scrape time, a few indexed counts from the database; nothing is
computed per update. Bind it to 127.0.0.1 (the default) or a private network only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Protocol

from aiohttp import web

from bot.db.health import Gauges, HealthRepo
from bot.domain import LeadStatus
from bot.ops.backup import list_backups
from bot.ops.exposition import CONTENT_TYPE, Family, render
from bot.ops.metrics import Metrics
from bot.runner import UpdateProcessor

log = logging.getLogger(__name__)

DB_TIMEOUT = 2.0
PREFIX = "salesbot_"


class Intake(Protocol):
    mode: str

    @property
    def alive(self) -> bool: ...


class StatusServer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        health: HealthRepo,
        metrics: Metrics,
        processor: UpdateProcessor,
        intake: Intake | None = None,
        backup_dir: Path | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.health, self.metrics, self.processor = health, metrics, processor
        self.intake = intake  # None until the intake is built: /healthz says "starting"
        self.backup_dir = backup_dir
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1]
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # -- routes ----------------------------------------------------------------------------

    async def _healthz(self, request: web.Request) -> web.Response:
        database = await self._database_ok()
        intake_alive = self.intake is not None and self.intake.alive
        body = {
            "status": "ok" if database and intake_alive else "unavailable",
            "database": "ok" if database else "error",
            "intake": {
                "mode": self.intake.mode if self.intake is not None else "starting",
                "alive": intake_alive,
            },
            "in_flight": self.processor.in_flight,
            "uptime_seconds": round(time.time() - self.metrics.started_at, 1),
        }
        return web.Response(
            text=json.dumps(body),
            status=200 if database and intake_alive else 503,
            content_type="application/json",
        )

    async def _metrics(self, request: web.Request) -> web.Response:
        gauges = await self._gauges()
        return web.Response(
            body=render(self.families(gauges)).encode(),
            headers={"Content-Type": CONTENT_TYPE},
        )

    # -- collection ------------------------------------------------------------------------

    async def _database_ok(self) -> bool:
        try:
            return await asyncio.wait_for(self.health.ping(), DB_TIMEOUT)
        except Exception as error:  # any failure means "not healthy"
            log.warning("health check: the database does not answer (%s)", type(error).__name__)
            return False

    async def _gauges(self) -> Gauges | None:
        try:
            return await asyncio.wait_for(self.health.gauges(), DB_TIMEOUT)
        except Exception as error:  # scrape the counters all the same
            log.warning("metrics: database gauges unavailable (%s)", type(error).__name__)
            return None

    def families(self, gauges: Gauges | None) -> list[Family]:
        processor, metrics = self.processor, self.metrics
        families = [
            Family(f"{PREFIX}start_time_seconds", "gauge", "When the process started (unix time).")
            .add(metrics.started_at),
            Family(f"{PREFIX}updates_processed_total", "counter",
                   "Updates finished since start, by result.")
            .add(processor.processed, result="done")
            .add(processor.failed, result="failed"),
            Family(f"{PREFIX}updates_in_flight", "gauge", "Updates being processed now.")
            .add(processor.in_flight),
            Family(f"{PREFIX}intake_alive", "gauge",
                   "1 when the polling loop or webhook server is running.")
            .add(1 if self.intake is not None and self.intake.alive else 0),
        ]
        errors = Family(
            f"{PREFIX}errors_total", "counter",
            "Errors since start: handler:<exception class>, telegram:<code>, and others.",
        )
        for kind, count in sorted(metrics.errors.items()):
            errors.add(count, kind=kind)
        families.append(errors)
        families.append(
            Family(f"{PREFIX}database_up", "gauge", "1 when the database answered this scrape.")
            .add(1 if gauges is not None else 0)
        )
        if gauges is not None:
            families += [
                Family(f"{PREFIX}inbox_pending", "gauge", "Stored updates not processed yet.")
                .add(gauges.inbox_pending),
                Family(f"{PREFIX}inbox_lag_seconds", "gauge",
                       "Age of the oldest unprocessed update, 0 when none.")
                .add(round(gauges.inbox_lag_seconds, 3)),
                Family(f"{PREFIX}outbox_pending", "gauge",
                       "Notifications waiting to be sent to the consultants' group or admins.")
                .add(gauges.outbox_pending),
            ]
            leads = Family(f"{PREFIX}leads", "gauge", "Leads by status.")
            counts = {status: 0 for status in LeadStatus} | gauges.leads_by_status
            for status, count in counts.items():
                leads.add(count, status=status)
            families.append(leads)
        if self.backup_dir is not None:
            backups = list_backups(self.backup_dir)
            last = Family(f"{PREFIX}backup_last_timestamp_seconds", "gauge",
                          "When the newest backup in BACKUP_DIR was taken (unix time).")
            if backups:
                last.add(backups[-1].taken_at.timestamp())
            families.append(last)
        return families
