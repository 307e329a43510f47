"""Bot API method semantics shared by the HTTP server and the in-process aiogram session.

`call_method(world, method, params, uploads)` returns the method's `result` or raises
`ApiError` (Telegram's error answer) or `TransportFault` (a planned timeout/disconnect).
Every call is recorded in the world's call log; planned faults are applied here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.emulator.errors import ApiError, TransportFault, not_found, too_many_requests
from bot.emulator.faults import Fault, to_failure
from bot.emulator.limits import posts_messages
from bot.emulator.methods import REGISTRY, Call
from bot.emulator.models import ChatRecord
from bot.emulator.params import Upload, describe_params, normalize_params
from bot.emulator.world import BotWorld


async def call_method(
    world: BotWorld,
    method: str,
    params: Mapping[str, Any],
    uploads: Mapping[str, Upload] | None = None,
) -> Any:
    spec = REGISTRY.get(method.lower())
    if spec is None:
        raise not_found()
    typed = normalize_params(params)
    record = world.record_call(spec.name, describe_params(typed))
    try:
        fault = world.faults.take(method.lower(), _fault_chat(world, typed.get("chat_id")))
        if fault is not None and not fault.applied:
            raise _failure(world, fault, typed)
        limited = _flood_limited(world, spec.name, typed)
        result = spec.handler(Call(world, typed, dict(uploads or {})))
        if spec.is_async:
            result = await result
        if limited is not None:
            world.rate_limiter.record(limited)  # type: ignore[union-attr]
        if fault is not None:
            raise _failure(world, fault, typed)
    except ApiError as error:
        record.ok, record.error = False, error.description
        raise
    except TransportFault as fault_error:
        record.ok, record.error = False, f"transport fault: {fault_error.kind}"
        raise
    record.ok, record.result = True, result
    if world.response_enrichment is not None:
        return world.response_enrichment.apply(spec.name, result)
    return result


def _flood_limited(world: BotWorld, method: str, params: dict[str, Any]) -> ChatRecord | None:
    """The chat a message-posting call counts against when flood limits are on; raises 429
    (before the call has any effect) when Telegram would refuse it now."""
    limiter = world.rate_limiter
    if limiter is None or not posts_messages(method):
        return None
    chat_id = _fault_chat(world, params.get("chat_id"))
    chat = world.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        return None  # the method answers "chat not found" itself
    retry_after = limiter.retry_after(chat)
    if retry_after is not None:
        raise too_many_requests(retry_after)
    return chat


def _fault_chat(world: BotWorld, chat_id: Any) -> Any:
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        chat = world.chats_by_username.get(chat_id[1:].lower())
        return chat.id if chat is not None else chat_id
    return chat_id


def _failure(world: BotWorld, fault: Fault, params: dict[str, Any]) -> ApiError | TransportFault:
    migrate_to = None
    if fault.kind == "migrate":
        chat = world.chats.get(_fault_chat(world, params.get("chat_id")))
        if chat is not None and chat.type == "group":
            migrate_to = world.migrate_group(chat.id)
        elif chat is not None:
            migrate_to = chat.migrated_to
    return to_failure(fault, migrate_to)
