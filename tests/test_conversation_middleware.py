"""`ConversationMiddleware` hands private-chat handlers the conversation as `talk`, built
from what the update already brings (where it is registered:
tests/test_service_middlewares_placement.py)."""

from __future__ import annotations

from typing import Any

from aiogram.types import Chat, User

from bot.flows.conversation import Conversation
from bot.middlewares import ConversationMiddleware
from tests.inner_middlewares import handed_on

USER = User(id=7, is_bot=False, first_name="Анна")


def _data(chat: Chat | None) -> dict[str, Any]:
    return {
        "event_chat": chat, "event_from_user": USER, "reply": object(), "state": object(),
        "repo": object(), "content": object(), "settings": object(),
    }


async def _handled(data: dict[str, Any]) -> dict[str, Any]:
    return await handed_on(ConversationMiddleware(), data)


async def test_a_private_chat_gets_the_conversation() -> None:
    data = _data(Chat(id=7, type="private"))
    talk = (await _handled(data))["talk"]
    assert talk == Conversation(
        data["reply"], 7, 7, data["state"], data["repo"], data["content"], data["settings"]
    )


async def test_a_group_or_no_chat_gets_none() -> None:
    assert "talk" not in await _handled(_data(Chat(id=-100, type="supergroup")))
    assert "talk" not in await _handled(_data(None))
