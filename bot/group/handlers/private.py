"""A consultant in a private chat with the bot: told on /start and /help what they can do
here, before the ordinary answer (the next router's handler) follows."""

from __future__ import annotations

from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.types import Message

from bot.content import Content
from bot.delivery.replies import Replies


async def on_consultant_start(message: Message, reply: Replies, content: Content) -> None:
    """A hint first, then the ordinary /start goes on (the next router answers it)."""
    reply(message.answer(content.render("group/private_hint.html")))
    raise SkipHandler


async def on_consultant_help(message: Message, reply: Replies, content: Content) -> None:
    reply(message.answer(content.render("group/help.html", in_group=False)))
    raise SkipHandler
