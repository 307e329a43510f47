"""`DeskMiddleware` hands the consultants' handlers the desk as `desk`, built from what the
update already brings, and is registered on the consultants' routers only: the group chats'
and the consultants' private commands', not the owners'."""

from __future__ import annotations

from typing import Any

from aiogram.types import User

from bot.app import create_dispatcher
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.group.desk import Desk, DeskMiddleware
from tests.inner_middlewares import handed_on, registered, unwrapped

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


async def test_every_handler_that_takes_the_desk_gets_one(
    settings: Settings, repo: Repositories, content: Content
) -> None:
    dispatcher = create_dispatcher(settings, repo=repo, content=content)
    assert unwrapped(dispatcher, "desk", DeskMiddleware) == []
