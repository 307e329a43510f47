"""The real process in webhook mode, fed by the emulator's webhook delivery; restarts keep
Telegram's queue; switching back to polling deletes the webhook without dropping updates."""

from __future__ import annotations

import json

import pytest

from bot.emulator.world import BotWorld
from tests.kit.http_driver import HttpWorld
from tests.ops.conftest import Spawn, free_port, http_get
from tests.stories import greeted
from tests.waiting import wait_until

pytestmark = pytest.mark.process

SECRET = "e2e_webhook-secret"


def webhook_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        **extra,
    }


async def test_webhook_mode_end_to_end_and_a_restart_keeps_what_telegram_queued(
    spawn: Spawn, http_world: HttpWorld, telegram: BotWorld
) -> None:
    port, status_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    bot = spawn(**webhook_env(port, METRICS_PORT=str(status_port)))
    await bot.start()

    async def webhook_set() -> bool:
        return telegram.webhook.url == url

    await wait_until(webhook_set, what="setWebhook")
    assert telegram.webhook.secret_token == SECRET
    [call] = telegram.calls("setWebhook")
    assert not call.params.get("drop_pending_updates")
    assert "message" in call.params["allowed_updates"]

    anna = await http_world.user("Анна")
    await greeted(anna)
    await anna.click("Начать обучение")
    await anna.expect("Урок 1 из 4")
    assert telegram.calls("getUpdates") == []
    assert telegram.webhook.delivered >= 2

    status, body = await http_get(f"http://127.0.0.1:{status_port}/healthz")
    assert status == 200
    assert json.loads(body)["intake"] == {"mode": "webhook", "alive": True}

    assert await bot.stop() == 0
    assert telegram.webhook.url == url  # not deleted: Telegram keeps queueing
    assert telegram.calls("deleteWebhook") == []

    await anna.click("Далее")  # while the bot is down
    await bot.start()
    await anna.expect("Урок 2 из 4")
    assert await bot.stop() == 0
    assert "Traceback" not in bot.log()


async def test_switching_back_to_polling_deletes_the_webhook_and_loses_nothing(
    spawn: Spawn, http_world: HttpWorld, telegram: BotWorld
) -> None:
    port = free_port()
    bot = spawn(**webhook_env(port))
    await bot.start()

    async def webhook_set() -> bool:
        return bool(telegram.webhook.url)

    await wait_until(webhook_set, what="setWebhook")
    assert await bot.stop() == 0

    boris = await http_world.user("Борис")
    await boris.send("/start")  # queued at Telegram while nobody listens
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_HOST", "WEBHOOK_PORT"):
        bot.env.pop(name)
    await bot.start()
    await boris.expect("Здравствуйте, Борис")
    [call] = telegram.calls("deleteWebhook")
    assert not call.params.get("drop_pending_updates")
    assert telegram.webhook.url == ""
    assert telegram.calls("getUpdates")
    assert await bot.stop() == 0
