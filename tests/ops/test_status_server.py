"""/healthz and /metrics in process: health follows the database and the intake; metrics are
valid Prometheus text with counters from memory and gauges read at scrape time."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramServerError
from aiogram.types import Message, Update

from bot.db import Database
from bot.db.health import HealthRepo
from bot.db.inbox import InboxRepo
from bot.emulator import Emulator
from bot.ops.backup import make_backup
from bot.ops.metrics import Metrics, TelegramErrorMetrics
from bot.ops.status_server import StatusServer
from bot.runner import DurablePolling
from tests.conftest import TEST_TOKEN, bare_processor
from tests.kit import EmulatorSession
from tests.ops.test_webhook import update
from tests.waiting import wait_until

SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')


def parse(text: str) -> dict[str, Any]:
    """Prometheus text → {"types": {name: type}, "samples": {(name, labels): value}}."""
    types: dict[str, str] = {}
    helps: set[str] = set()
    samples: dict[tuple[str, str], float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line.startswith("# HELP "):
            helps.add(line.split(" ", 3)[2])
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name, labels, value = match.groups()
            assert name in types, f"{name} has no TYPE line before it"
            samples[(name, labels or "")] = float(value)
    assert helps == set(types)
    return {"types": types, "samples": samples}


class Server:
    def __init__(self, status: StatusServer) -> None:
        self.status = status

    async def get(self, path: str) -> tuple[int, str, str]:
        url = f"http://127.0.0.1:{self.status.port}{path}"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, response.headers["Content-Type"], await response.text()


@pytest.fixture
async def server(db: Database, tmp_path: Path) -> AsyncIterator[Server]:
    status = StatusServer(
        "127.0.0.1", 0, health=HealthRepo(db), metrics=Metrics(),
        processor=SimpleNamespace(processed=5, failed=1, in_flight=2),  # type: ignore[arg-type]
        intake=SimpleNamespace(mode="polling", alive=True),
        backup_dir=tmp_path / "backups",
    )
    await status.start()
    try:
        yield Server(status)
    finally:
        await status.stop()


async def test_healthz_is_200_when_the_database_answers_and_the_intake_is_alive(
    server: Server,
) -> None:
    status, content_type, body = await server.get("/healthz")
    assert status == 200 and content_type.startswith("application/json")
    health = json.loads(body)
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["intake"] == {"mode": "polling", "alive": True}
    assert health["in_flight"] == 2


async def test_healthz_is_503_when_the_intake_loop_is_dead(server: Server) -> None:
    server.status.intake = SimpleNamespace(mode="polling", alive=False)
    status, _, body = await server.get("/healthz")
    assert status == 503
    assert json.loads(body)["intake"] == {"mode": "polling", "alive": False}
    assert json.loads(body)["database"] == "ok"


async def test_healthz_is_503_while_starting(server: Server) -> None:
    server.status.intake = None
    status, _, body = await server.get("/healthz")
    assert status == 503 and json.loads(body)["intake"]["mode"] == "starting"


async def test_healthz_is_503_when_the_database_does_not_answer(
    server: Server, db: Database
) -> None:
    await db.close()
    status, _, body = await server.get("/healthz")
    assert status == 503
    assert json.loads(body)["database"] == "error"


async def seed(db: Database, db_path: Path) -> None:
    """Leads in several statuses, inbox rows (one pending for two minutes), outbox rows."""
    now = time.time()
    inbox = InboxRepo(db)
    await inbox.store([(1, "{}"), (2, "{}"), (3, "{}")])
    await inbox.mark_done(1)
    await db.write("UPDATE inbox SET received_at = ? WHERE update_id = 2", (now - 120,))
    for user_id, status in [(1, "new"), (2, "new"), (3, "claimed"), (4, "unqualified")]:
        await db.write(
            "INSERT INTO leads (user_id, status, qualified, draft_id, created_at, updated_at) "
            "VALUES (?, ?, 1, 'd', ?, ?)",
            (user_id, status, now, now),
        )
    for key, status in [("a", "pending"), ("b", "pending"), ("c", "sent")]:
        await db.write(
            "INSERT INTO outbox (kind, dedup_key, status, next_attempt_at, created_at) "
            "VALUES ('card', ?, ?, ?, ?)",
            (key, status, now, now),
        )
    make_backup(db_path, db_path.parent.parent / "backups", keep=3)


async def test_metrics_are_prometheus_text_with_counters_and_scrape_time_gauges(
    server: Server, db: Database, db_path: Path
) -> None:
    await seed(db, db_path)
    server.status.metrics.count_error("handler:ValueError")
    server.status.metrics.count_error("telegram:5xx")
    server.status.metrics.count_error("telegram:5xx")
    status, content_type, body = await server.get("/metrics")
    assert status == 200
    assert content_type.startswith("text/plain") and "version=0.0.4" in content_type
    parsed = parse(body)
    samples, types = parsed["samples"], parsed["types"]
    assert types["salesbot_updates_processed_total"] == "counter"
    assert types["salesbot_errors_total"] == "counter"
    assert types["salesbot_inbox_lag_seconds"] == "gauge"
    assert types["salesbot_leads"] == "gauge"
    assert samples[("salesbot_updates_processed_total", 'result="done"')] == 5
    assert samples[("salesbot_updates_processed_total", 'result="failed"')] == 1
    assert samples[("salesbot_updates_in_flight", "")] == 2
    assert samples[("salesbot_errors_total", 'kind="handler:ValueError"')] == 1
    assert samples[("salesbot_errors_total", 'kind="telegram:5xx"')] == 2
    assert samples[("salesbot_database_up", "")] == 1
    assert samples[("salesbot_intake_alive", "")] == 1
    assert samples[("salesbot_inbox_pending", "")] == 2
    assert 119 <= samples[("salesbot_inbox_lag_seconds", "")] < 180
    assert samples[("salesbot_outbox_pending", "")] == 2
    assert samples[("salesbot_leads", 'status="new"')] == 2
    assert samples[("salesbot_leads", 'status="claimed"')] == 1
    assert samples[("salesbot_leads", 'status="unqualified"')] == 1
    assert samples[("salesbot_leads", 'status="lost"')] == 0
    backup_at = samples[("salesbot_backup_last_timestamp_seconds", "")]
    assert abs(backup_at - time.time()) < 60


async def test_metrics_still_answer_without_the_database(server: Server, db: Database) -> None:
    server.status.metrics.count_error("telegram:network")
    await db.close()
    status, _, body = await server.get("/metrics")
    samples = parse(body)["samples"]
    assert status == 200
    assert samples[("salesbot_database_up", "")] == 0
    assert samples[("salesbot_errors_total", 'kind="telegram:network"')] == 1
    assert ("salesbot_inbox_pending", "") not in samples


async def test_failed_bot_api_calls_are_counted_by_code() -> None:
    emulator = Emulator()
    metrics = Metrics()
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emulator))
    bot.session.middleware(TelegramErrorMetrics(metrics))
    telegram = emulator.world(TEST_TOKEN)
    anna = telegram.add_user(first_name="Анна", started=True)
    try:
        for kind, error in [
            ("500", TelegramServerError),
            ("403_blocked", TelegramForbiddenError),
            ("network", TelegramNetworkError),
        ]:
            telegram.inject_fault("sendMessage", kind)
            with pytest.raises(error):
                await bot.send_message(anna.id, "текст")
        await bot.send_message(anna.id, "текст")  # a success counts nothing
    finally:
        await bot.session.close()
        await emulator.aclose()
    assert metrics.errors == {"telegram:5xx": 1, "telegram:403": 1, "telegram:network": 1}


async def test_exceptions_in_handlers_and_middlewares_are_counted_by_class(
    db: Database,
) -> None:
    metrics = Metrics()
    router = Router()

    @router.message()
    async def broken(message: Message) -> None:
        raise LookupError("no such lesson")

    async def flaky_middleware(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        if event.message is not None and event.message.text == "/db":
            raise TimeoutError("database is locked")
        return await handler(event, data)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    dispatcher.update.outer_middleware(flaky_middleware)
    bot = Bot(TEST_TOKEN, session=EmulatorSession(Emulator()))
    processor = bare_processor(bot, dispatcher, db)
    processor.error_listeners.append(  # as the service counts them
        lambda error: metrics.count_error(f"handler:{type(error).__name__}")
    )
    try:
        await InboxRepo(db).store([(1, "{}"), (2, "{}")])
        await processor.process(1, Update.model_validate(update(1, "/lesson 9")))
        await processor.process(2, Update.model_validate(update(2, "/db")))
    finally:
        await bot.session.close()
    assert metrics.errors == {"handler:LookupError": 1, "handler:TimeoutError": 1}
    assert (processor.processed, processor.failed) == (0, 2)
    assert await InboxRepo(db).count("failed") == 2


async def test_the_polling_loop_is_alive_while_it_runs_and_comes_round(db: Database) -> None:
    emulator = Emulator()
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emulator))
    processor = bare_processor(bot, Dispatcher(), db)
    polling = DurablePolling(bot, processor, InboxRepo(db), polling_timeout=1)
    assert not polling.alive
    task = asyncio.create_task(polling.run())
    try:
        await wait_until(lambda: polling.alive, timeout=5, what="the polling loop's first turn")
        polling._last_turn -= 3600  # a loop stuck for an hour is not alive
        assert not polling.alive
        polling._last_turn += 3600
    finally:
        polling.stop()
        await asyncio.wait_for(task, 5)
        await bot.session.close()
        await emulator.aclose()
    assert not polling.alive
