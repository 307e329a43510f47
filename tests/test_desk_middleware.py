"""`DeskMiddleware` hands the consultants' handlers the desk as `desk`, built from what the
update already brings, and is registered on the consultants' routers only: the group chats'
and the consultants' private commands', not the owners'."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from aiogram import Router
from aiogram.types import User

from bot.app import create_dispatcher
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.group.desk import Desk, DeskMiddleware
from tests.inner_middlewares import handed_on, registered

USER = User(id=7, is_bot=False, first_name="Анна")


def _data(user: User | None) -> dict[str, Any]:
    return {
        "event_from_user": user, "bot": object(), "reply": object(), "repo": object(),
        "content": object(), "settings": object(), "consultants": object(),
    }


async def _handled(data: dict[str, Any]) -> dict[str, Any]:
    return await handed_on(DeskMiddleware(), data)


async def test_an_update_with_a_sender_gets_the_desk() -> None:
    data = _data(USER)
    desk = (await _handled(data))["desk"]
    assert desk == Desk(
        data["bot"], data["reply"], USER, data["repo"], data["content"], data["settings"],
        data["consultants"],
    )


async def test_an_update_without_a_sender_gets_none() -> None:
    assert "desk" not in await _handled(_data(None))


async def test_registered_once_on_the_consultants_routers_only(
    settings: Settings, repo: Repositories, content: Content
) -> None:
    dispatcher = create_dispatcher(settings, repo=repo, content=content)
    assert registered(dispatcher, DeskMiddleware) == [
        "group-chats.callback_query", "group-chats.message", "group-chats.my_chat_member",
        "group-private.callback_query", "group-private.message",
    ]


def _handlers_taking_desk(router: Router) -> Iterator[tuple[str, bool]]:
    """Each handler that names `desk`, and whether a `DeskMiddleware` wraps it: aiogram wraps
    a handler in the inner middlewares of its observer and of its routers' parents."""
    for event, observer in router.observers.items():
        built = any(isinstance(m, DeskMiddleware) for m in observer._resolve_middlewares())
        for handler in observer.handlers:
            if "desk" in inspect.signature(handler.callback).parameters:
                yield f"{router.name}.{event} {handler.callback.__name__}", built
    for sub in router.sub_routers:
        yield from _handlers_taking_desk(sub)


async def test_every_handler_that_takes_the_desk_gets_one(
    settings: Settings, repo: Repositories, content: Content
) -> None:
    dispatcher = create_dispatcher(settings, repo=repo, content=content)
    found = dict(_handlers_taking_desk(dispatcher))
    assert len(found) > 15  # the walk reached the consultants' handlers
    assert [where for where, built in found.items() if not built] == []
