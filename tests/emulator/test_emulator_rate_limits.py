"""Telegram's flood limits, when the emulator is asked to enforce them: about one message a
second to a chat (a short burst allowed), 20 a minute to a group, 30 a second overall, each
refusal a 429 "Too Many Requests: retry after N" with parameters.retry_after. Time is a
stepped clock: nothing here sleeps.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter

from bot.emulator import ApiError, BotWorld, Emulator, call_method
from bot.emulator.limits import RateLimits
from tests.emulator.calls import switched_on
from tests.kit import EmulatorSession
from tests.kit.client import RemoteBot

TOKEN = "123456:TEST-token_for-the-emulator"
OWNER = 31


class SteppedClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def step(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock()


@pytest.fixture
def limited(clock: SteppedClock) -> BotWorld:
    world = Emulator(rate_limits=True, clock=clock).world(TOKEN)
    world.add_user(OWNER, "Ольга", started=True)
    return world


async def send(world: BotWorld, chat_id: int, text: str = "x", **params: Any) -> Any:
    return await call_method(world, "sendMessage", {"chat_id": chat_id, "text": text, **params})


async def too_many(world: BotWorld, chat_id: int) -> int:
    with pytest.raises(ApiError) as caught:
        await send(world, chat_id, "лишнее")
    error = caught.value
    assert error.error_code == 429
    assert error.description == f"Too Many Requests: retry after {error.parameters['retry_after']}"  # type: ignore[index]
    return error.parameters["retry_after"]  # type: ignore[index]


async def test_limits_are_off_unless_asked_for() -> None:
    world = Emulator().world(TOKEN)
    world.add_user(OWNER, "Ольга", started=True)
    for n in range(50):
        await send(world, OWNER, str(n))
    assert len(world.bot_messages(OWNER)) == 50


async def test_a_private_chat_takes_a_short_burst_then_one_message_a_second(
    limited: BotWorld, clock: SteppedClock
) -> None:
    for n in range(RateLimits().private_burst):
        await send(limited, OWNER, f"burst {n}")

    assert await too_many(limited, OWNER) == 1
    assert [m.text for m in limited.bot_messages(OWNER)][-1] == "burst 2"  # nothing went out

    for second in range(10):  # sustained: one a second is fine
        clock.step(1.0)
        await send(limited, OWNER, f"second {second}")
    clock.step(0.5)
    assert await too_many(limited, OWNER) == 1


async def test_a_group_takes_20_messages_a_minute(limited: BotWorld, clock: SteppedClock) -> None:
    group = limited.add_group(title="Консультанты", type="supergroup")
    for _ in range(20):
        await send(limited, group.id)
        clock.step(2.0)  # t = 40 s after the 20th

    assert await too_many(limited, group.id) == 20  # the first one leaves the minute at 60 s
    clock.step(19.5)
    assert await too_many(limited, group.id) == 1
    clock.step(0.5)
    await send(limited, group.id)


async def test_thirty_messages_a_second_in_total(limited: BotWorld, clock: SteppedClock) -> None:
    for user_id in range(100, 130):
        limited.add_user(user_id, "Владелец", started=True)
        await send(limited, user_id)
    limited.add_user(130, "Тридцать первый", started=True)

    assert await too_many(limited, 130) == 1
    clock.step(1.0)
    await send(limited, 130)


async def test_only_messages_count(limited: BotWorld) -> None:
    sent = [await send(limited, OWNER, reply_markup={
        "inline_keyboard": [[{"text": "Далее", "callback_data": "n"}]]
    }) for _ in range(3)]
    for n in range(10):
        await call_method(limited, "sendChatAction", {"chat_id": OWNER, "action": "typing"})
        await call_method(limited, "editMessageText", {
            "chat_id": OWNER, "message_id": sent[0]["message_id"], "text": f"правка {n}",
        })
        query_id = limited.click(OWNER, OWNER, sent[0]["message_id"], "n").query_id
        await call_method(limited, "answerCallbackQuery", {"callback_query_id": query_id})
    copied = limited.send_media(OWNER, "photo")
    with pytest.raises(ApiError) as caught:
        await call_method(limited, "copyMessage", {
            "chat_id": OWNER, "from_chat_id": OWNER, "message_id": copied.message_id,
        })
    assert caught.value.error_code == 429  # a copy is a message


async def test_aiogram_gets_a_retry_after(clock: SteppedClock) -> None:
    emulator = Emulator(rate_limits=RateLimits(private_burst=1), clock=clock)
    emulator.world(TOKEN).add_user(OWNER, "Ольга", started=True)
    bot = Bot(TOKEN, session=EmulatorSession(emulator))
    await bot.send_message(OWNER, "первое")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(OWNER, "второе")
    assert caught.value.retry_after == 1
    await bot.session.close()


async def test_limits_switched_on_over_the_control_api(
    remote: RemoteBot, bot: Bot
) -> None:
    await switched_on(remote, OWNER, "rate_limits", {"private_burst": 1})
    await bot.send_message(OWNER, "первое")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(OWNER, "второе")
    assert (await remote.settings(rate_limits=False))["rate_limits"] is False
    await bot.send_message(OWNER, "снова можно")
