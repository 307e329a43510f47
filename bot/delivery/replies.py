"""How handlers speak: they hand aiogram method objects to `reply`, never send themselves.

    reply(message.answer(text, reply_markup=markup))
    reply(query.answer(alert, show_alert=True), )
    reply(message.answer(card_text), track=Track.lead_message(lead.id, "view"))

aiogram's shortcuts (`message.answer`, `query.answer`, `message.edit_text` …) return the
method object when not awaited. The update processor (bot/runner.py) commits what was
collected in the same transaction as the update's other effects, and only then are the calls
made, in order, by the reply sender (bot/delivery/sender.py). A handler therefore cannot say
something it did not commit, and a crash can repeat at most the one call in flight.

`DirectCallGuard` refuses any Bot API call that changes something in Telegram while an
update is being handled, so a handler that sends directly fails in every test instead of
quietly giving up that guarantee. Reads (`get…`) stay direct.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.context_values import set_for_block
from bot.request_middleware import AroundRequest, Call

_collecting: ContextVar[bool] = ContextVar("collecting_replies", default=False)


@dataclass(frozen=True, slots=True)
class Track:
    """What to record once Telegram has taken a message (with the message's id).

    `lead_message`: the message shows lead `lead_id` (a consultant's view, a prompt …);
    `lead_page`: a /leads page listing these leads. Erasing a lead later finds and replaces
    every such message (bot/outbox/deliveries.py); one that reaches Telegram after its lead
    was erased is replaced at once."""

    kind: str
    data: dict[str, Any]

    @classmethod
    def lead_message(cls, lead_id: int, role: str, user_id: int | None = None) -> Track:
        return cls("lead_message", {"lead_id": lead_id, "role": role, "user_id": user_id})

    @classmethod
    def lead_page(cls, lead_ids: list[int], detail: str) -> Track:
        return cls("lead_page", {"lead_ids": list(lead_ids), "detail": detail})


@dataclass(frozen=True, slots=True)
class Outgoing:
    method: TelegramMethod[Any]
    track: Track | None = None
    otherwise: TelegramMethod[Any] | None = None  # when an edit finds its message gone


@dataclass(slots=True)
class Replies:
    """The calls one update's handlers want made, in order (injected as `reply`)."""

    lane: int  # the chat whose order these keep
    calls: list[Outgoing] = field(default_factory=list)

    def __call__(
        self,
        method: TelegramMethod[Any],
        *,
        track: Track | None = None,
        otherwise: TelegramMethod[Any] | None = None,
    ) -> None:
        """Say `method`. `otherwise`: what to say instead if `method` edits a message that
        can no longer be edited (deleted, or too old)."""
        for given in (method, otherwise):
            if given is not None and not isinstance(given, TelegramMethod):
                raise TypeError(
                    f"reply() takes aiogram method objects, not {type(given).__name__} "
                    "(did you await the shortcut?)"
                )
        self.calls.append(Outgoing(method, track, otherwise))

    def __bool__(self) -> bool:
        return bool(self.calls)


def collecting() -> AbstractContextManager[None]:
    """Marks the current task as handling an update (see `DirectCallGuard`)."""
    return set_for_block(_collecting, True)


def is_read(method: TelegramMethod[Any]) -> bool:
    return method.__api_method__.startswith("get")


class DirectCallError(RuntimeError):
    """A handler called the Bot API to change something instead of handing it to `reply`."""


class DirectCallGuard(AroundRequest):
    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        if _collecting.get() and not is_read(method):
            raise DirectCallError(
                f"{method.__api_method__} called directly while handling an update; "
                "hand it to `reply` so that it is committed with the update"
            )
        return await call()
