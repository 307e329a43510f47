"""Exactly-once replies across crashes: a replayed update does not send its messages twice.

While an update from the inbox is handled, every message-sending Bot API call gets a number
(1st, 2nd … call of this update) and its response is journaled. If the process dies before
the update is marked done, the update is handled again after the restart; for calls already
journaled under the same number and method, the recorded response is returned instead of
sending again. The context travels in a ContextVar set by the update processor, so calls
made outside update handling (the outbox sender) are untouched.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import (
    CopyMessage,
    ForwardMessage,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from pydantic import TypeAdapter

from bot.db.journal import JournalRepo

log = logging.getLogger(__name__)

# Methods whose repetition the person would notice as a duplicate.
JOURNALED = (SendMessage, SendDocument, SendPhoto, CopyMessage, ForwardMessage)


@functools.cache
def _adapter(returning: Any) -> TypeAdapter[Any]:
    """One TypeAdapter per answer type (building one costs more than using it)."""
    return TypeAdapter(returning)


def _not_in_the_answer(value: Any) -> None:
    """What the journal writes for a value pydantic cannot dump (aiogram's placeholders)."""
    return None


@dataclass(slots=True)
class UpdateScope:
    update_id: int
    replay: bool
    recorded: dict[int, tuple[str, str]] = field(default_factory=dict)
    calls: int = 0


_scope: ContextVar[UpdateScope | None] = ContextVar("update_scope", default=None)


@contextmanager
def handling_update(scope: UpdateScope) -> Iterator[None]:
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def current_scope() -> UpdateScope | None:
    return _scope.get()


def current_update_id() -> int | None:
    scope = _scope.get()
    return None if scope is None else scope.update_id


class ReplayJournalMiddleware(BaseRequestMiddleware):
    def __init__(self, journal: JournalRepo) -> None:
        self.journal = journal

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        scope = _scope.get()
        if scope is None or not isinstance(method, JOURNALED):
            return await make_request(bot, method)
        scope.calls += 1
        seq = scope.calls
        name = method.__api_method__
        if scope.replay and seq in scope.recorded and scope.recorded[seq][0] == name:
            log.info(
                "update %d: call %d (%s) was made before the crash; not repeated",
                scope.update_id,
                seq,
                name,
            )
            # Session middlewares pass results (not Response envelopes) back up the chain.
            return _adapter(method.__returning__).validate_json(scope.recorded[seq][1], context={"bot": bot})  # type: ignore[no-any-return]
        result = await make_request(bot, method)
        # None fields left out: a Message is 6 KB of JSON with them, under 1 KB without, and
        # reads back equal (they default to None). STOP-GAP (issue 12 #1): aiogram fills the
        # unset fields of some echoed objects (link_preview_options) with `Default(...)`
        # placeholders that pydantic cannot dump; they were not in Telegram's answer, so they
        # are written as null (read back as None). The journal goes away with the outbox.
        dumped = (
            _adapter(method.__returning__)
            .dump_json(result, exclude_none=True, fallback=_not_in_the_answer)
            .decode()
        )
        await self.journal.record(scope.update_id, seq, name, dumped)
        return result
