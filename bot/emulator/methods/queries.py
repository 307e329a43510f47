"""Answers to users' queries: answerCallbackQuery and answerInlineQuery (recorded for tests)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from bot.emulator.errors import QUERY_TOO_OLD, bad_request
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.params import opt_bool, opt_int, opt_str

CALLBACK_TEXT_LIMIT = 200


class _Query(Protocol):
    answered: bool


Q = TypeVar("Q", bound=_Query)


def _unanswered(queries: Mapping[str, Q], query_id: str | None) -> Q:
    """The query `query_id` while it waits for its answer; once answered, or unknown, Telegram
    says it is too old."""
    record = queries.get(query_id or "")
    if record is None or record.answered:
        raise bad_request(QUERY_TOO_OLD)
    return record


@api_method("answerCallbackQuery")
def answer_callback_query(call: Call) -> bool:
    world, params = call.world, call.params
    record = _unanswered(world.callback_queries, opt_str(params, "callback_query_id"))
    text = opt_str(params, "text")
    if text is not None and len(text) > CALLBACK_TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    answer: dict[str, Any] = {
        "text": text,
        "show_alert": opt_bool(params, "show_alert"),
        "url": opt_str(params, "url"),
        "cache_time": opt_int(params, "cache_time") or 0,
    }
    record.answered, record.answer, record.answered_at = True, answer, time.time()
    world.emit(
        "callback_answer",
        record.chat_id,
        data={"query_id": record.id, "user_id": record.user_id, "message_id": record.message_id}
        | answer,
    )
    return True


@api_method("answerInlineQuery")
def answer_inline_query(call: Call) -> bool:
    world, params = call.world, call.params
    record = _unanswered(world.inline_queries, opt_str(params, "inline_query_id"))
    results = params.get("results")
    if not isinstance(results, list):
        raise bad_request("can't parse results JSON object")
    if len(results) > 50:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or not result.get("type") or not result.get("id"):
            raise bad_request("can't parse InlineQueryResult JSON object")
        result_id = str(result["id"])
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
    record.answered, record.results = True, results
    record.options = {
        key: params[key]
        for key in ("cache_time", "is_personal", "next_offset", "button")
        if key in params
    }
    world.emit(
        "inline_answer",
        None,
        data={"query_id": record.id, "user_id": record.user_id, "results": results},
    )
    return True
