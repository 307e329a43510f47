"""Every filter and handler of the bot is a coroutine, so none of them runs in a thread.

aiogram awaits coroutine callables but sends any plain callable (a bare magic filter such
as `F.text`, an FSM `State` used as a filter, a sync handler) through `asyncio.to_thread`:
a worker-thread round trip per check, for every update that reaches it.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallableObject

from bot.app import create_dispatcher
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.filters import Magic
from tests.inner_middlewares import observers


def _callables(router: Router) -> Iterator[tuple[str, CallableObject]]:
    for owner, event, observer in observers(router):
        for root in observer._handler.filters or ():
            yield f"{owner.name}.{event} router filter {root.callback!r}", root
        for handler in observer.handlers:
            name = getattr(handler.callback, "__name__", repr(handler.callback))
            yield f"{owner.name}.{event} handler {name}", handler
            for check in handler.filters or ():
                yield f"{owner.name}.{event} {name} filter {check.callback!r}", check


async def test_no_filter_or_handler_of_the_bot_runs_in_a_worker_thread(
    settings: Settings, repo: Repositories, content: Content
) -> None:
    dispatcher = create_dispatcher(settings, repo=repo, content=content)
    checked = dict(_callables(dispatcher))
    assert len(checked) > 50  # the walk reached the flows' handlers
    threaded = [where for where, item in checked.items() if not item.awaitable]
    assert threaded == []


def test_the_walk_sees_a_bare_magic_filter_and_magic_passes() -> None:
    router = Router(name="probe")

    async def handler() -> None: ...

    router.message.register(handler, F.text)
    router.message.register(handler, Magic(F.text))
    found = [where for where, item in _callables(router) if not item.awaitable]
    assert found == [f"probe.message handler filter {router.message.handlers[0].filters[0].callback!r}"]


async def test_magic_answers_like_the_magic_filter_it_wraps() -> None:
    from aiogram.types import Chat, Message

    chat = Chat(id=1, type="private")
    text = Message(message_id=1, date=0, chat=chat, text="привет")
    photo = Message(message_id=2, date=0, chat=chat, caption="x")
    assert await Magic(F.text)(text) is True
    assert await Magic(F.text)(photo) is False
    assert await Magic(F.text == "привет")(text) is True


async def test_aiogram_still_runs_a_plain_filter_in_a_worker_thread() -> None:
    """What `Magic` (bot/filters.py) works around. When this fails, the pinned aiogram calls
    plain callables in the event loop, and `Magic` can go."""
    import threading

    from aiogram.dispatcher.event.handler import FilterObject
    from aiogram.types import Chat, Message

    threads: list[int] = []

    def plain(event: Message) -> bool:
        threads.append(threading.get_ident())
        return True

    check = FilterObject(callback=plain)
    message = Message(message_id=1, date=0, chat=Chat(id=1, type="private"), text="x")
    assert not check.awaitable
    assert await check.call(message) is True
    assert threads and threads[0] != threading.get_ident()
