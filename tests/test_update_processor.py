"""UpdateProcessor's backpressure: the intake waits while too many updates are in flight."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Chat, Message, Update

from bot.db.database import Database
from bot.db.inbox import InboxRepo
from tests.conftest import bare_processor
from tests.waiting import until_suspended, wait_until

TOKEN = "42:TEST-processor"


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(id=chat_id, type="private")
    return Update(
        update_id=update_id, message=Message(message_id=update_id, date=0, chat=chat, text="x")
    )


async def test_the_intake_waits_for_room_and_goes_on_as_updates_finish(db: Database) -> None:
    release: dict[int, asyncio.Event] = {}
    router = Router()

    @router.message()
    async def slow(message: Message) -> None:
        await release[message.chat.id].wait()

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    inbox = InboxRepo(db)
    processor = bare_processor(Bot(TOKEN), dispatcher, db)
    for n in range(1, 4):  # three chats, three updates in flight
        release[n] = asyncio.Event()
        await inbox.store([(n, "{}")])
        processor.submit(n, _update(n, n))

    waiter = asyncio.create_task(processor.wait_for_room(3))
    await until_suspended(waiter)
    assert not waiter.done()  # 3 in flight, room below 3 only

    release[1].set()
    await asyncio.wait_for(waiter, 2)
    assert processor.in_flight == 2

    at_one = asyncio.create_task(processor.wait_for_room(1))
    await until_suspended(at_one)
    release[2].set()
    # The finished update wakes the waiter, which looks again and goes back to waiting.
    await wait_until(lambda: at_one.done() or (
        processor.in_flight == 1 and not processor._room.is_set()), timeout=5)
    assert not at_one.done() and processor.in_flight == 1  # one finished: still not below 1

    release[3].set()
    await asyncio.wait_for(at_one, 2)
    assert processor.in_flight == 0 and processor.processed == 3
    await processor.wait_for_room(1)  # room already: returns at once
