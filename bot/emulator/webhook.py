"""Webhook delivery: while a webhook is set, POST each queued update to it, in order.

Each update is sent as JSON with `X-Telegram-Bot-Api-Secret-Token` when a secret is set. A
non-2xx answer or a connection failure is recorded as `last_error_*` (seen in getWebhookInfo)
and retried with a short exponential backoff. A JSON answer carrying `"method"` is executed
like Telegram does (answering the webhook with a method call).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from bot.emulator.world import BotWorld

log = logging.getLogger(__name__)
FIRST_RETRY_DELAY = 0.05
MAX_RETRY_DELAY = 2.0
REQUEST_TIMEOUT = 10.0


class WebhookDelivery:
    def __init__(self, world: BotWorld) -> None:
        self.world = world
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        if task is not asyncio.current_task():  # a webhook reply may delete its own webhook
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        world = self.world
        delay = FIRST_RETRY_DELAY
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while world.webhook.url:
                entry = world.first_update()
                if entry is None:
                    await world.wait_for_updates(30.0)
                    continue
                error = await self._post(session, entry.payload)
                if error is None:
                    world.drop_update(entry)
                    world.webhook.delivered += 1
                    delay = FIRST_RETRY_DELAY
                    continue
                world.webhook.last_error_date = int(time.time())
                world.webhook.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY)

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> str | None:
        webhook = self.world.webhook
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        body = json.dumps(update, ensure_ascii=False)
        try:
            async with session.post(webhook.url, data=body, headers=headers) as response:
                if not 200 <= response.status < 300:
                    return f"Wrong response from the webhook: {response.status} {response.reason}"
                reply = await response.read()
        except TimeoutError:
            return "Connection timed out"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as error:
            return f"{type(error).__name__}: {error}"
        await self._execute_reply(reply)
        return None

    async def _execute_reply(self, reply: bytes) -> None:
        """Telegram executes a method given in the webhook's answer; errors are ignored."""
        if not reply.strip().startswith(b"{"):
            return
        try:
            payload = json.loads(reply)
        except ValueError:
            return
        method = payload.pop("method", None) if isinstance(payload, dict) else None
        if not isinstance(method, str):
            return
        from bot.emulator.api import call_method  # the API package imports this module

        try:
            await call_method(self.world, method, payload)
        except Exception as error:
            log.debug("webhook reply %s failed: %s", method, error)


def start_delivery(world: BotWorld) -> None:
    delivery = world.webhook_delivery
    if delivery is None:
        delivery = world.webhook_delivery = WebhookDelivery(world)
    delivery.start()


async def stop_delivery(world: BotWorld) -> None:
    delivery, world.webhook_delivery = world.webhook_delivery, None
    if delivery is not None:
        await delivery.aclose()
