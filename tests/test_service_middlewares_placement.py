"""Where the dispatcher puts the middlewares that hand handlers a bundle of services by name:
each is registered once, on its own part's routers only, and wraps every handler that names
its parameter (`talk` for the owners' private chats, `desk` for the consultants')."""

from __future__ import annotations

import pytest
from aiogram import BaseMiddleware

from bot.app import create_dispatcher
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.group.desk import DeskMiddleware
from bot.middlewares import ConversationMiddleware
from tests.inner_middlewares import registered, unwrapped

PLACES = [
    pytest.param(
        ConversationMiddleware, "talk", ["owners.callback_query", "owners.message"], id="talk"
    ),
    pytest.param(
        DeskMiddleware, "desk",
        [
            "group-chats.callback_query", "group-chats.message", "group-chats.my_chat_member",
            "group-private.callback_query", "group-private.message",
        ],
        id="desk",
    ),
]


@pytest.mark.parametrize(("kind", "parameter", "routers"), PLACES)
async def test_registered_once_on_its_parts_routers_and_wrapping_every_handler_that_asks(
    settings: Settings, repo: Repositories, content: Content,
    kind: type[BaseMiddleware], parameter: str, routers: list[str],
) -> None:
    dispatcher = create_dispatcher(settings, repo=repo, content=content)
    assert registered(dispatcher, kind) == routers
    assert unwrapped(dispatcher, parameter, kind) == []
