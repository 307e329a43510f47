"""Fault injection: planned failures of Bot API calls, consumed one per matching call.

A fault matches a method name (case-insensitive, or "*") and optionally a chat id; `count`
calls fail, then it is gone. `to_failure` turns a fault into what the transport must do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import (
    ApiError,
    ControlError,
    TransportFault,
    bad_request,
    chat_not_found,
    forbidden,
    group_migrated,
    too_many_requests,
)
from bot.emulator.models import field_values

FAULT_KINDS = (
    "429",
    "500",
    "502",
    "timeout",
    "network",
    "403_blocked",
    "403_kicked",
    "chat_not_found",
    "migrate",
    "thread_not_found",
)


@dataclass(slots=True, eq=False)
class Fault:
    method: str  # lower-case method name or "*"
    kind: str
    remaining: int = 1
    retry_after: int | None = None
    chat_id: int | None = None
    applied: bool = False  # the call takes effect, then the answer is lost (5xx/timeout/network)
    hang_seconds: float = 120.0  # "timeout" over HTTP: the longest the server keeps the request

    def to_dict(self) -> dict[str, Any]:
        return field_values(
            self, "method", "kind", "remaining", "retry_after", "chat_id", "applied"
        )


class FaultQueue:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Queue a fault (see `BotWorld.inject_fault`), checked first."""
        if fault.kind not in FAULT_KINDS:
            raise ControlError(
                f"unknown fault kind {fault.kind!r}; expected one of {FAULT_KINDS}"
            )
        if fault.remaining < 1:
            raise ControlError("fault count must be at least 1")
        self._faults.append(fault)
        return fault

    def take(self, method: str, chat_id: Any) -> Fault | None:
        """Consume one use of the first fault matching this call (method is lower-case)."""
        if not self._faults:
            return None
        for fault in self._faults:
            if fault.method not in ("*", method):
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    def list(self) -> list[Fault]:
        return list(self._faults)


def to_failure(fault: Fault, migrate_to: int | None = None) -> ApiError | TransportFault:
    kind = fault.kind
    if kind == "429":
        return too_many_requests(fault.retry_after if fault.retry_after is not None else 1)
    if kind == "500":
        return ApiError(500, "Internal Server Error")
    if kind == "502":
        return ApiError(502, "Bad Gateway")
    if kind in ("timeout", "network"):
        return TransportFault(kind, fault.hang_seconds)
    if kind == "403_blocked":
        return forbidden("bot was blocked by the user")
    if kind == "403_kicked":
        return forbidden("bot was kicked from the group chat")
    if kind == "chat_not_found":
        return chat_not_found()
    if kind == "thread_not_found":  # the forum topic was deleted
        return bad_request("message thread not found")
    if kind == "migrate":
        return (
            group_migrated(migrate_to)
            if migrate_to is not None
            else bad_request("group chat was upgraded to a supergroup chat")
        )
    raise AssertionError(kind)
