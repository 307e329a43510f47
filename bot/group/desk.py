"""The consultants' side of one update: who acts (the consultant, or whoever pressed a
card's button), and what answering them needs: the bot (membership checks), the reply
collector and the app's repositories, content, settings and consultants.

Handlers get it by naming a `desk` parameter: `DeskMiddleware` (below) builds one for the
consultants' routers (bot/group/handlers/routers.py) — in groups, and for the commands
consultants send the bot in a private chat. It only gathers what the update
already brings; what differs between handlers (`callback_data`, `command`, `clock`,
`reminders`) they still name themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, User

from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.group.access import Consultants
from bot.middlewares import Handler


@dataclass(slots=True)
class Desk:
    bot: Bot
    reply: Replies
    user: User
    repo: Repositories
    content: Content
    settings: Settings
    consultants: Consultants


class DeskMiddleware(BaseMiddleware):
    """Gives a consultants' handler the `desk`, made of what the update already brings: its
    sender, `bot`, `reply` and the app's `repo`, `content`, `settings` and `consultants`.
    An inner middleware of the consultants' routers, whose filters already chose the chats
    (groups, and a consultant's private commands): it runs only for the handler that
    matched, and only builds the object (no awaits, no database)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is not None:
            data["desk"] = Desk(
                data["bot"], data["reply"], user, data["repo"], data["content"],
                data["settings"], data["consultants"],
            )
        return await handler(event, data)
