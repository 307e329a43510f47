"""Story: a pressed button is answered alongside what the press brings, not before it.

The answer (answerCallbackQuery) only stops the button's spinner; the person waits for the
message or the edit that follows. Delivered in order, that waited a whole round trip to
Telegram for the answer first (bot/delivery/sender.py: `answers_alongside`). The answer is
still delivered, and one that fails is tried again like any other reply. In the same spirit
the thanks for a request goes before the review loses its buttons.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import AnswerCallbackQuery, TelegramMethod

from bot.app import BotApp
from bot.clock import ShiftedClock
from bot.emulator.models import StoredMessage
from bot.emulator.world import BotWorld
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.stories import answer_until_review, start_the_lessons


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


class SlowAnswers(BaseRequestMiddleware):
    """A Telegram that takes its time over answerCallbackQuery until `release` is set."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.waiting = 0

    async def __call__(
        self, make_request: NextRequestMiddlewareType[Any], bot: Any, method: TelegramMethod[Any]
    ) -> Any:
        if isinstance(method, AnswerCallbackQuery):
            self.waiting += 1
            await self.release.wait()
            self.waiting -= 1
        return await make_request(bot, method)


async def bot_says(telegram: BotWorld, after: int, chat_id: int, fragment: str) -> StoredMessage:
    """The bot's next message in `chat_id` after event `after` that contains `fragment`
    (waits on the emulator's events, not on the handling of the update)."""
    while True:
        events = await telegram.wait_events(after, 5.0, chat_id)
        assert events, f"the bot did not say {fragment!r}"
        for event in events:
            shown = event.message
            if shown is not None and shown.from_bot and fragment in (shown.text or ""):
                return shown
        after = events[-1].seq


async def test_the_next_lesson_goes_out_while_the_buttons_answer_is_on_the_way(
    app: BotApp, world: InProcessWorld, owner: Person
) -> None:
    await start_the_lessons(owner)
    slow = SlowAnswers()
    app.bot.session.middleware(slow)
    telegram = world.world
    before, answers_before = telegram.last_seq, len(telegram.calls("answerCallbackQuery"))

    pressing = asyncio.create_task(owner.click("Далее ▶️"))
    await bot_says(telegram, before, owner.id, "Урок 2 из 4")
    assert slow.waiting == 1  # the answer is still on its way: Telegram has not seen it
    assert len(telegram.calls("answerCallbackQuery")) == answers_before

    slow.release.set()
    await pressing
    await owner.expect_answer()
    assert [call.ok for call in telegram.calls("answerCallbackQuery")[answers_before:]] == [True]
    assert app.replies.owed(owner.id) == 0


async def test_an_answer_telegram_fails_to_take_is_tried_again_and_holds_nothing_up(
    app: BotApp, world: InProcessWorld, owner: Person, clock: ShiftedClock
) -> None:
    await start_the_lessons(owner)
    telegram = world.world
    answers_before = len(telegram.calls("answerCallbackQuery"))
    telegram.inject_fault("answerCallbackQuery", "500", count=1)

    await owner.click("Далее ▶️")
    await owner.expect("Урок 2 из 4")  # the lesson did not wait for the failed answer
    assert [call.ok for call in telegram.calls("answerCallbackQuery")[answers_before:]] == [False]
    assert app.replies.owed(owner.id) == 1  # the answer, owed

    clock.advance(1.0)  # past the first back-off
    assert await app.replies.deliver(owner.id)
    assert [call.ok for call in telegram.calls("answerCallbackQuery")[answers_before:]] == [
        False, True,
    ]
    await owner.expect_answer()
    assert await app.repo.replies.pending() == []


async def test_answers_keep_their_order_with_each_other(
    app: BotApp, world: InProcessWorld, owner: Person
) -> None:
    """Two presses in a row: each answer goes out, and each lesson after its own press."""
    await start_the_lessons(owner)
    telegram = world.world
    answers_before = len(telegram.calls("answerCallbackQuery"))
    await owner.click("Далее ▶️")
    await owner.expect("Урок 2 из 4")
    await owner.click("Далее ▶️")
    await owner.expect("Урок 3 из 4")
    answered = telegram.calls("answerCallbackQuery")[answers_before:]
    assert [call.ok for call in answered] == [True, True]
    assert app.replies.owed(owner.id) == 0


async def test_the_thanks_for_a_request_comes_before_the_review_loses_its_buttons(
    world: InProcessWorld, owner: Person
) -> None:
    await answer_until_review(owner)
    telegram = world.world
    before = len(telegram.calls())
    await owner.click("✅ Отправить")
    await owner.expect("Заявка принята")
    made = [
        (call.method, str(call.params.get("text", ""))) for call in telegram.calls()[before:]
    ]
    thanks = next(i for i, (method, text) in enumerate(made) if "Заявка принята" in text)
    unbuttoned = [method for method, _ in made].index("editMessageReplyMarkup")
    assert thanks < unbuttoned
