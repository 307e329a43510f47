"""The sender: a reminder and the owner's step never cross (the race, both ways), reminders
survive a restart, late ones are dropped after downtime, a blocked owner gets nothing more,
Telegram's 429 is honoured, and the rate stays under the cap."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Update

from bot.domain import NudgeKind
from bot.emulator.limits import RateLimits
from bot.emulator.world import Emulator
from bot.nudges import policy
from bot.nudges.window import SentWindow, posts_message
from bot.request_middleware import AroundRequest, Call
from tests.kit.drivers import Person
from tests.kit.views import MessageView
from tests.nudges.conftest import HOUR, Reminders
from tests.stories import open_lesson

DAY = 24 * HOUR


class Hold:
    """Holds the first call it picks until `open()`; `entered` tells when one is held."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self._open = asyncio.Event()
        self.armed = True

    def open(self) -> None:
        self._open.set()

    async def hold(self) -> None:
        """Hold the call at hand until `open()`; the calls after it pass."""
        self.armed = False
        self.entered.set()
        await self._open.wait()


class Gate(Hold, AroundRequest):
    """Holds the first Bot API call `matches` picks until `open()`; `entered` tells when one
    is held. Nothing else is slowed down."""

    def __init__(self, matches: Callable[[TelegramMethod[Any]], bool]) -> None:
        super().__init__()
        self.matches = matches

    async def around(
        self, method: TelegramMethod[TelegramType], call: Call[TelegramType]
    ) -> Response[TelegramType]:
        if self.armed and self.matches(method):
            await self.hold()
        return await call()


class HeldUpdates(Hold):
    """An outer middleware that holds the first update of `user_id` inside its handling (in
    its unit of work, before anything is committed) until `open()`."""

    def __init__(self, user_id: int) -> None:
        super().__init__()
        self.user_id = user_id

    async def __call__(
        self, handler: Callable[[Any, dict[str, Any]], Awaitable[Any]], event: Any,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if self.armed and user is not None and user.id == self.user_id:
            await self.hold()
        return await handler(event, data)


async def press_in_chat_order(
    reminders: Reminders, owner: Person, message: MessageView, label: str
) -> asyncio.Task[None]:
    """The owner presses `label`; the update takes the service's way: committed to the inbox,
    then handed to the processor in its chat's order (not handled here and now)."""
    button = message.button(label)
    assert button is not None and button.callback_data is not None
    reminders.telegram.click(owner.id, owner.chat_id, message.message_id, button.callback_data)
    [payload] = reminders.telegram.take_all_updates()
    processor = reminders.app.processor
    update = Update.model_validate(payload, context={"bot": reminders.app.bot})
    await processor.inbox.store([(payload["update_id"], json.dumps(payload))])
    return processor.submit(payload["update_id"], update)


async def still_waiting(task: asyncio.Future[Any]) -> bool:
    """True when `task` has not finished after the loop had every chance to run it."""
    try:
        await asyncio.wait_for(asyncio.shield(task), 0.3)
    except TimeoutError:
        return True
    return False


def reminder_to(chat_id: int) -> Callable[[TelegramMethod[Any]], bool]:
    return lambda method: (
        method.__api_method__ == "sendMessage" and getattr(method, "chat_id", None) == chat_id
    )


async def reader_of_lesson_1(reminders: Reminders, name: str) -> tuple[Person, MessageView]:
    owner = await reminders.owner(name)
    return owner, await open_lesson(owner, 1)


async def test_a_step_that_arrives_while_its_reminder_is_sent_waits_for_it(
    reminders: Reminders,
) -> None:
    """The reminder goes first: the owner's «Далее» is handled after it was sent and marked,
    and then cancels what followed it (its second reminder) and schedules the next one."""
    owner, lesson1 = await reader_of_lesson_1(reminders, "Анна")
    gate = Gate(reminder_to(owner.id))
    reminders.app.bot.session.middleware(gate)
    reminders.clock.advance(DAY)
    sending = asyncio.create_task(reminders.app.nudges.deliver_due())
    await gate.entered.wait()  # the reminder is on its way to Telegram

    step = await press_in_chat_order(reminders, owner, lesson1, "Далее")
    assert await still_waiting(step)  # the step waits for the reminder…
    row = await reminders.repo.users.get(owner.id)
    assert row is not None and row.lesson == 1  # …without having changed anything

    gate.open()
    await sending
    await step
    said = [m.content for m in await owner.bot_messages()]
    assert said[-2].startswith("Вы остановились на уроке 1 из 4")
    assert said[-1].startswith("Урок 2 из 4")
    [sent] = await reminders.sent(owner.id)
    assert sent.kind == NudgeKind.lesson and sent.payload == {"lesson": 1}
    [pending] = await reminders.pending(owner.id)  # not the second about lesson 1
    assert (pending.payload, pending.seq) == ({"lesson": 2}, 1)


async def test_a_reminder_due_while_its_step_is_handled_is_not_sent(
    reminders: Reminders,
) -> None:
    """The step goes first: it is being handled (nothing committed yet) when its reminder
    falls due; the reminder waits for the step, finds it deleted, and nothing is sent."""
    owner, lesson1 = await reader_of_lesson_1(reminders, "Борис")
    held = HeldUpdates(owner.id)
    reminders.app.dispatcher.update.outer_middleware(held)
    reminders.clock.advance(DAY)

    step = await press_in_chat_order(reminders, owner, lesson1, "Далее")
    await held.entered.wait()  # the step is in its transaction
    sending = asyncio.create_task(reminders.app.nudges.deliver_due())
    assert await still_waiting(sending)  # the due reminder waits in the chat's order

    held.open()
    await step
    await sending
    said = [m.content for m in await owner.bot_messages()]
    assert not any(text.startswith("Вы остановились") for text in said), said
    assert said[-1].startswith("Урок 2 из 4")
    assert await reminders.sent(owner.id) == []
    [pending] = await reminders.pending(owner.id)
    assert pending.payload == {"lesson": 2}


async def test_reminders_survive_a_restart(make_reminders: Any) -> None:
    emulator = Emulator()
    first: Reminders = await make_reminders(emulator=emulator)
    owner = await first.owner("Вера")
    await owner.send("/lessons")
    await first.app.processor.drain(5)
    await first.repo.db.close()

    second: Reminders = await make_reminders(emulator=emulator)  # a new process, same data
    second.clock.set_to(first.clock.now() + DAY)
    await second.app.nudges.deliver_due()
    reminder = second.telegram.bot_messages(owner.id)[-1]
    assert reminder.text is not None and reminder.text.startswith("Вы остановились на уроке 1")


async def test_after_downtime_reminders_too_late_are_dropped_not_sent(
    make_reminders: Any,
) -> None:
    reminders: Reminders = await make_reminders(quiet_hours="")
    late = await reminders.owner("Глеб")
    await late.send("/lessons")  # due tomorrow 12:00
    reminders.clock.advance(HOUR)
    later = await reminders.owner("Дина")
    await later.send("/lessons")  # due tomorrow 13:00
    # Down until 00:30 the day after tomorrow: 12.5 h and 11.5 h late (NUDGE_STALE_AFTER 12h).
    reminders.clock.advance(DAY + 11.5 * HOUR)
    await reminders.deliver()
    await late.expect_no_reply()
    await later.expect("Вы остановились на уроке 1 из 4")
    [dropped] = await reminders.repo.nudges.history(late.id)
    assert dropped.status == "dropped"


async def test_an_owner_who_blocked_the_bot_gets_nothing_more(reminders: Reminders) -> None:
    owner = await reminders.owner("Ефим")
    await owner.send("/lessons")
    reminders.telegram.block_bot(owner.id)  # Telegram tells the bot (my_chat_member)
    await reminders.world.settle()
    assert await reminders.pending(owner.id) == []
    owner_row = await reminders.repo.nudges.owner(owner.id)
    assert owner_row is not None and owner_row.blocked
    before = len(reminders.telegram.bot_messages(owner.id))
    await reminders.after(7 * DAY)
    assert len(reminders.telegram.bot_messages(owner.id)) == before


async def test_a_403_from_a_reminder_marks_the_owner_blocked_and_cancels_the_rest(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Жанна")
    await owner.send("/lessons")
    reminders.clock.advance(DAY)
    reminders.telegram.inject_fault("sendMessage", "403_blocked", chat_id=owner.id)
    await reminders.app.nudges.deliver_due()
    assert await reminders.pending(owner.id) == []  # no second reminder
    assert await reminders.sent(owner.id) == []
    owner_row = await reminders.repo.nudges.owner(owner.id)
    assert owner_row is not None and owner_row.blocked
    # Writing to the bot again (Telegram lifts the block first) and /start bring them back.
    await owner.send("/start")
    await owner.send("/lessons")
    assert len(await reminders.pending(owner.id)) == 1


async def test_a_403_to_a_reply_marks_the_owner_blocked_too(reminders: Reminders) -> None:
    owner = await reminders.owner("Зоя")
    await owner.send("/lessons")
    assert len(await reminders.pending(owner.id)) == 1
    reminders.telegram.inject_fault("sendMessage", "403_blocked", chat_id=owner.id)
    await owner.send("/help")
    assert await reminders.pending(owner.id) == []
    owner_row = await reminders.repo.nudges.owner(owner.id)
    assert owner_row is not None and owner_row.blocked


async def test_429_moves_the_reminder_by_retry_after_and_pauses_the_sender(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Ирина")
    await owner.send("/lessons")
    reminders.clock.advance(60)
    other = await reminders.owner("Карина")
    await other.send("/lessons")  # due a minute after Ирина's
    reminders.clock.advance(DAY - 60)
    reminders.telegram.inject_fault("sendMessage", "429", retry_after=300, chat_id=owner.id)
    throttled_at = reminders.clock.now()
    await reminders.app.nudges.deliver_due()
    [pending] = await reminders.pending(owner.id)
    assert pending.attempts == 1 and pending.seq == 1
    assert pending.due_at >= throttled_at + 300

    reminders.clock.advance(60)  # Карина's is due now, within the pause
    passing = asyncio.create_task(reminders.app.nudges.deliver_due())
    while not passing.done():  # the pause is on the clock: move it on
        await asyncio.sleep(0.01)
        reminders.clock.advance(10)
    [other_sent] = await reminders.sent(other.id)
    assert other_sent.sent_at is not None and other_sent.sent_at >= throttled_at + 300
    await other.expect("Вы остановились на уроке 1 из 4")
    await reminders.after(300)
    [owner_sent] = await reminders.sent(owner.id)  # tried again once its wait was over
    assert owner_sent.sent_at is not None and owner_sent.sent_at >= throttled_at + 300
    said = [m.content for m in await owner.bot_messages()]
    assert sum(text.startswith("Вы остановились на уроке 1") for text in said) == 1
    assert reminders.app.nudges.throttled == 1


async def readers_of_lesson_1(reminders: Reminders, count: int) -> list[int]:
    """`count` owners who opened lesson 1 (written directly: no replies to send now)."""
    ids = []
    for n in range(count):
        user = reminders.telegram.add_user(first_name=f"Владелец {n}", started=True)
        async with reminders.repo.db.unit():
            await reminders.repo.users.seen(user.id, user.first_name)
            await reminders.repo.users.open_lesson(user.id, 1)
            await policy.lesson_opened(reminders.repo, reminders.app.settings, user.id, 1, 4)
        ids.append(user.id)
    return ids


async def test_the_sender_keeps_under_its_rate(make_reminders: Any) -> None:
    rate = 10.0
    reminders: Reminders = await make_reminders(nudges_per_second=rate)
    await readers_of_lesson_1(reminders, 15)
    reminders.clock.advance(DAY)
    await reminders.app.nudges.deliver_due()
    calls = reminders.telegram.calls("sendMessage")
    assert len(calls) == 15
    times = [call.ts for call in calls]
    # Paced: n messages take at least (n - 1) / rate seconds, never a burst.
    assert times[-1] - times[0] >= (len(times) - 1) / rate * 0.95
    assert all(len([t for t in times if start <= t < start + 1.0]) <= rate + 1 for start in times)


async def test_no_429_from_telegram_at_the_default_cap(make_reminders: Any) -> None:
    """40 reminders due at once, against Telegram's limits (30 messages a second in all):
    paced at NUDGES_PER_SECOND = 20, none is refused."""
    emulator = Emulator(rate_limits=RateLimits())
    reminders: Reminders = await make_reminders(emulator=emulator, nudges_per_second=20)
    await readers_of_lesson_1(reminders, 40)
    reminders.clock.advance(DAY)
    await reminders.app.nudges.deliver_due()
    assert reminders.telegram.rate_limiter is not None
    assert reminders.telegram.rate_limiter.refused == 0
    assert reminders.app.nudges.sent == 40
    assert reminders.app.nudges.throttled == 0


async def test_live_answers_go_first_reminders_wait_for_room_under_telegrams_limit(
    reminders: Reminders,
) -> None:
    """28 messages already went out this second (live answers): Telegram's 30 would be
    exceeded by more than one more, so the reminder waits until the second has passed."""
    owner = await reminders.owner("Лев")
    await owner.send("/lessons")
    reminders.clock.advance(DAY)
    window = reminders.app.nudges.window
    busy_since = time.monotonic()
    window._sent.extend([busy_since] * 28)
    await reminders.app.nudges.deliver_due()
    [call] = [c for c in reminders.telegram.calls("sendMessage")
              if c.params["text"].startswith("Вы остановились")]
    assert call.ts - (time.time() - (time.monotonic() - busy_since)) >= 0.95


def test_the_window_counts_messages_not_other_calls() -> None:
    now = [100.0]
    window = SentWindow(clock=lambda: now[0])
    assert posts_message("sendMessage") and posts_message("copyMessage")
    assert not posts_message("answerCallbackQuery") and not posts_message("sendChatAction")
    window._sent.extend([100.0, 100.2, 100.4])
    assert window.count() == 3 and window.wait_for_room(5) == 0.0
    assert abs(window.wait_for_room(2) - 1.2) < 1e-9  # the two oldest must leave first
    now[0] = 101.1
    assert window.count() == 2


async def test_the_window_keeps_only_the_last_second_even_when_nobody_reads_it() -> None:
    """Live answers pass through the window all day while no reminder is due (nobody calls
    count()): it must not keep every message the bot ever sent."""
    now = [0.0]
    window = SentWindow(clock=lambda: now[0])
    method = SendMessage(chat_id=1, text="x")

    async def sent(bot: Any, called: Any) -> Any:
        return None

    for _ in range(10_000):
        now[0] += 0.01  # 100 messages a second
        await window(sent, None, method)  # type: ignore[arg-type]
    assert len(window._sent) <= 101
    assert window.count() == 100
