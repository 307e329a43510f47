"""The real process with METRICS_PORT: /healthz turns 200 once polling runs, /metrics counts
processed updates, Telegram errors by code and handler exceptions by class."""

from __future__ import annotations

import json

import pytest

from bot.emulator.world import BotWorld
from tests.kit.http_driver import HttpWorld
from tests.ops.conftest import Spawn, free_port, http_get
from tests.ops.test_status_server import parse
from tests.stories import greeted
from tests.waiting import wait_until

pytestmark = pytest.mark.process


async def test_health_and_metrics_of_the_running_bot(
    spawn: Spawn, http_world: HttpWorld, telegram: BotWorld
) -> None:
    port = free_port()
    bot = spawn(METRICS_PORT=str(port))
    base = f"http://127.0.0.1:{port}"
    await bot.start()

    async def healthy() -> bool:
        return (await http_get(f"{base}/healthz"))[0] == 200

    await wait_until(healthy, what="/healthz 200")
    health = json.loads((await http_get(f"{base}/healthz"))[1])
    assert health["intake"] == {"mode": "polling", "alive": True}
    assert health["database"] == "ok"

    anna = await http_world.user("Анна")
    telegram.inject_fault("sendMessage", "500")  # retried: the reply still arrives
    await greeted(anna)
    # The user blocked the bot: the answer is refused for good (dropped, never retried).
    telegram.inject_fault("sendMessage", "403_blocked", count=1, chat_id=anna.id)
    await anna.send("/lessons")

    async def scrape() -> dict[tuple[str, str], float]:
        status, body = await http_get(f"{base}/metrics")
        assert status == 200
        return parse(body)["samples"]

    async def both_processed() -> bool:
        return (await scrape())[("salesbot_updates_processed_total", 'result="done"')] >= 2

    await wait_until(both_processed, what="two processed updates")
    samples = await scrape()
    assert samples[("salesbot_errors_total", 'kind="telegram:5xx"')] == 1
    assert samples[("salesbot_errors_total", 'kind="telegram:403"')] == 1
    assert not any(labels.startswith('kind="handler:') for _, labels in samples)
    assert samples[("salesbot_inbox_pending", "")] == 0
    assert samples[("salesbot_inbox_lag_seconds", "")] == 0
    assert samples[("salesbot_leads", 'status="new"')] == 0
    assert samples[("salesbot_database_up", "")] == 1

    assert await bot.stop() == 0
