"""UpdateProcessor's backpressure (the intake waits while too many updates are in flight), and
the outbox woken by the updates that gave it work."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Chat, Message, Update

from bot.db.database import Database
from bot.db.inbox import InboxRepo
from bot.db.leads import Notification
from bot.db.repos import Repositories
from bot.domain import OutboxKind
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


async def test_the_outbox_is_woken_after_an_update_that_added_to_it_and_only_then(
    db: Database,
) -> None:
    router = Router()

    @router.message()
    async def maybe_notify(message: Message, repo: Repositories) -> None:
        if message.chat.id == 2:  # this one adds a notification to the outbox
            await repo.outbox.add(Notification(OutboxKind.admin_alert, 7, {}), None, "alert:1")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    woken: list[int] = []
    processor = bare_processor(Bot(TOKEN), dispatcher, db)
    processor.on_outbox = lambda: woken.append(len(woken) + 1)
    processor.workflow_data["repo"] = processor.repo
    for n in (1, 2):
        await processor.inbox.store([(n, "{}")])
        await processor.process(n, _update(n, n))
        assert woken == ([] if n == 1 else [1])
    assert await processor.repo.outbox.is_pending("alert:1")
