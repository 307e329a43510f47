"""Update middlewares: plumbing only (who is this user, the conversation handlers get by
name), no business decisions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from bot.db.repos import Repositories
from bot.flows.conversation import Conversation

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
"""The rest of the chain a middleware hands the event on to."""


class TrackUsersMiddleware(BaseMiddleware):
    """Keeps the users table current (first and last seen, names) for every private update."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        repo: Repositories = data["repo"]
        if user is not None and not user.is_bot and (chat is None or chat.type == "private"):
            await repo.users.seen(
                user.id, user.first_name, user.last_name, user.username, user.language_code
            )
        return await handler(event, data)


class ConversationMiddleware(BaseMiddleware):
    """Gives a handler in a private chat the conversation as `talk` (bot/flows/conversation.py),
    made of what the update already brings: its chat and sender, `reply`, the FSM `state`
    and the app's `repo`, `content` and `settings`. An inner middleware of the owners'
    routers (bot/handlers/__init__.py): it runs only for the handler that matched, and only
    builds the object (no awaits, no database)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        if chat is not None and user is not None and chat.type == "private":
            data["talk"] = Conversation(
                data["reply"], chat.id, user.id, data["state"], data["repo"], data["content"],
                data["settings"],
            )
        return await handler(event, data)
