"""Answer envelopes (`Response[<type>]`) are built once per process, not after every GC."""

from __future__ import annotations

import gc
import weakref
from typing import Any, ClassVar

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import TelegramObject

from bot.answer_envelopes import KeepAnswerEnvelopes

TOKEN = "42:TEST-token-for-envelopes"


def _method(name: str) -> TelegramMethod[Any]:
    """A method whose answer type exists only in this test, so no other code holds its
    envelope."""
    answer = type(name, (TelegramObject,), {"__annotations__": {"value": int}})

    class Probe(TelegramMethod[answer]):  # type: ignore[valid-type]
        __returning__: ClassVar[type] = answer
        __api_method__: ClassVar[str] = "probe"

    return Probe()


async def _read_answer(bot: Bot, method: TelegramMethod[Any]) -> Any:
    """What aiogram's check_response does with an answer, inside a function as it does."""
    return Response[method.__returning__].model_validate({"ok": True, "result": {"value": 1}})


async def test_an_envelope_made_inside_a_call_is_freed_by_garbage_collection() -> None:
    method = _method("AnswerNobodyKeeps")
    envelope = weakref.ref(type(await _read_answer(Bot(TOKEN), method)))
    gc.collect()
    assert envelope() is None  # without the middleware: built again on the next call


async def test_the_middleware_keeps_each_envelope_across_garbage_collection() -> None:
    method = _method("AnswerTheMiddlewareKeeps")
    answer = await KeepAnswerEnvelopes()(_read_answer, Bot(TOKEN), method)
    assert answer.result.value == 1
    envelope = weakref.ref(type(answer))
    del answer
    gc.collect()
    assert envelope() is not None
    assert Response[method.__returning__] is envelope()
