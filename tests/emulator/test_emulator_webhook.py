"""Webhook mode: updates are POSTed in order with the secret, failures retried and reported."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bot.emulator import ApiError, BotWorld, call_method
from tests.waiting import wait_until

USER = 1001


@dataclass
class Receiver:
    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    fail_first: int = 0
    reply: dict[str, Any] | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()

    async def hook(request: web.Request) -> web.Response:
        if state.fail_first > 0:
            state.fail_first -= 1
            return web.Response(status=500)
        state.bodies.append(await request.json())
        state.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        state.arrived.set()
        if state.reply is not None:
            return web.json_response(state.reply)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
async def hooked(world: BotWorld) -> AsyncIterator[BotWorld]:
    world.add_user(USER, "Анна")
    yield world
    await call_method(world, "deleteWebhook", {})


async def test_webhook_posts_updates_with_secret(hooked: BotWorld, receiver: Receiver) -> None:
    await call_method(hooked, "setWebhook", {"url": receiver.url, "secret_token": "s3cr3t"})
    hooked.send_text(USER, "первое")
    hooked.send_text(USER, "второе")
    await wait_until(lambda: len(receiver.bodies) == 2)
    assert [body["message"]["text"] for body in receiver.bodies] == ["первое", "второе"]
    assert receiver.secrets == ["s3cr3t", "s3cr3t"]
    await wait_until(lambda: hooked.pending_update_count == 0)
    info = await call_method(hooked, "getWebhookInfo", {})
    assert info["url"] == receiver.url and info["pending_update_count"] == 0


async def test_webhook_retries_failures_and_reports_last_error(
    hooked: BotWorld, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    await call_method(hooked, "setWebhook", {"url": receiver.url})
    hooked.send_text(USER, "настойчиво")
    await wait_until(lambda: receiver.bodies)
    assert receiver.bodies[0]["message"]["text"] == "настойчиво"
    info = await call_method(hooked, "getWebhookInfo", {})
    expected = "Wrong response from the webhook: 500 Internal Server Error"
    assert info["last_error_message"] == expected
    assert isinstance(info["last_error_date"], int)


async def test_webhook_reports_unreachable_host(hooked: BotWorld) -> None:
    await call_method(hooked, "setWebhook", {"url": "http://127.0.0.1:9/hook"})
    hooked.send_text(USER, "в никуда")
    await wait_until(lambda: hooked.webhook.last_error_message is not None)
    info = await call_method(hooked, "getWebhookInfo", {})
    assert info["last_error_message"] == "Connection refused"
    assert info["pending_update_count"] == 1


async def test_webhook_reply_method_is_executed(hooked: BotWorld, receiver: Receiver) -> None:
    hooked.users[USER].started = True
    receiver.reply = {"method": "sendMessage", "chat_id": USER, "text": "ответ в вебхуке"}
    await call_method(hooked, "setWebhook", {"url": receiver.url})
    hooked.send_text(USER, "привет")
    await wait_until(lambda: hooked.bot_messages(USER))
    assert hooked.bot_messages(USER)[0].text == "ответ в вебхуке"


async def test_set_webhook_drops_pending_updates_on_request(
    hooked: BotWorld, receiver: Receiver
) -> None:
    hooked.send_text(USER, "старое")
    await call_method(hooked, "setWebhook", {"url": receiver.url, "drop_pending_updates": True})
    hooked.send_text(USER, "новое")
    # Deliveries go in order: had the old update been kept, it would have come first.
    await wait_until(lambda: receiver.bodies)
    assert [body["message"]["text"] for body in receiver.bodies] == ["новое"]


async def test_delete_webhook_returns_to_polling(hooked: BotWorld, receiver: Receiver) -> None:
    await call_method(hooked, "setWebhook", {"url": receiver.url})
    await call_method(hooked, "deleteWebhook", {})
    hooked.send_text(USER, "через getUpdates")
    updates = await call_method(hooked, "getUpdates", {})
    assert updates[0]["message"]["text"] == "через getUpdates"
    assert receiver.bodies == []


async def test_invalid_webhook_settings_are_rejected(hooked: BotWorld) -> None:
    with pytest.raises(ApiError, match="HTTPS URL must be provided"):
        await call_method(hooked, "setWebhook", {"url": "ftp://example.com"})
    with pytest.raises(ApiError, match="secret token contains unallowed characters"):
        await call_method(
            hooked, "setWebhook", {"url": "https://example.com", "secret_token": "a b"}
        )
