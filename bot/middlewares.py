"""Update middlewares: plumbing only (who is this user), no business decisions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.db.repos import Repositories


class TrackUsersMiddleware(BaseMiddleware):
    """Keeps the users table current (first and last seen, names) for every private update."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        repo: Repositories = data["repo"]
        if user is not None and not user.is_bot and (chat is None or chat.type == "private"):
            await repo.users.seen(
                user.id, user.first_name, user.last_name, user.username, user.language_code
            )
        return await handler(event, data)
