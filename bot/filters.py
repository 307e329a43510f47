"""Small router filters shared by private-chat handlers."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject, User
from aiogram.utils.magic_filter import MagicFilter

from bot.config import Settings


class IsAdmin(Filter):
    """The sender is listed in ADMIN_IDS (others fall through to the next handler)."""

    async def __call__(
        self, event: TelegramObject, settings: Settings, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and event_from_user.id in settings.admin_ids


class InChat(Filter):
    """The event happened in a chat of one of `types` ("private", "group", "supergroup").

    A coroutine on purpose: aiogram runs plain callables (magic filters such as
    `F.chat.type == "private"`) in a thread pool, a hop per filter per update."""

    def __init__(self, *types: str) -> None:
        self.types = frozenset(types)

    async def __call__(self, event: TelegramObject) -> bool:
        chat = getattr(event, "chat", None)
        if chat is None:
            message = getattr(event, "message", None)  # a callback query
            chat = getattr(message, "chat", None)
        return chat is not None and chat.type in self.types


class Magic(Filter):
    """A magic filter (`F.text`, `F.contact`) checked in the event loop, not in a thread.

    aiogram awaits a coroutine filter but runs any plain callable, a bare magic filter or an
    FSM `State` included, through `asyncio.to_thread`: a thread round trip for each check.
    `tests/test_routers.py` keeps every filter and handler of the bot a coroutine."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> bool:
        return bool(self.magic.resolve(event))
