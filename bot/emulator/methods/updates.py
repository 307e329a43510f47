"""Getting updates: getUpdates long polling with offsets and conflicts, and webhooks."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from bot.emulator.errors import (
    GET_UPDATES_CONFLICT,
    WEBHOOK_ACTIVE_CONFLICT,
    bad_request,
    conflict,
)
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.params import opt_bool, opt_int, opt_str
from bot.emulator.webhook import start_delivery, stop_delivery

SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_POLL_TIMEOUT = 50


@api_method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    world, params = call.world, call.params
    if world.webhook.url:
        raise conflict(WEBHOOK_ACTIVE_CONFLICT)
    offset = opt_int(params, "offset")
    limit = opt_int(params, "limit")
    limit = 100 if limit is None else min(max(limit, 1), 100)
    timeout = min(max(opt_int(params, "timeout") or 0, 0), MAX_POLL_TIMEOUT)
    _apply_allowed_updates(call)
    ticket = world.begin_poll()
    try:
        if offset:
            world.confirm_updates(offset)
        batch = world.peek_updates(limit)
        if batch or timeout == 0:
            return batch
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        interrupts = world.interrupts
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0 or world.interrupts != interrupts:
                return []
            await world.wait_for_updates(remaining)
            if ticket.terminated:
                raise conflict(GET_UPDATES_CONFLICT)
            batch = world.peek_updates(limit)
            if batch:
                return batch
    finally:
        world.end_poll(ticket)


@api_method("setWebhook")
async def set_webhook(call: Call) -> bool:
    world, params = call.world, call.params
    url = opt_str(params, "url") or ""
    if not url:
        return await _delete_webhook(call)
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = opt_str(params, "secret_token")
    if secret is not None and not SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = opt_int(params, "max_connections")
    if max_connections is not None and not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if opt_bool(params, "drop_pending_updates"):
        world.drop_pending_updates()
    _apply_allowed_updates(call)
    webhook = world.webhook
    webhook.url, webhook.secret_token = url, secret
    webhook.max_connections = max_connections or 40
    webhook.ip_address = opt_str(params, "ip_address")
    webhook.last_error_date = webhook.last_error_message = None
    world.terminate_poll()
    start_delivery(world)
    return True


@api_method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    return await _delete_webhook(call)


@api_method("getWebhookInfo")
def get_webhook_info(call: Call) -> dict[str, Any]:
    return call.world.webhook_info()


async def _delete_webhook(call: Call) -> bool:
    world = call.world
    if opt_bool(call.params, "drop_pending_updates"):
        world.drop_pending_updates()
    await stop_delivery(world)
    world.webhook.url, world.webhook.secret_token = "", None
    world.webhook.last_error_date = world.webhook.last_error_message = None
    return True


def _apply_allowed_updates(call: Call) -> None:
    allowed = call.params.get("allowed_updates")
    if allowed is None:
        return
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed_updates JSON object")
    call.world.set_allowed_updates(allowed)
