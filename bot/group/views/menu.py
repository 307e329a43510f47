"""The command menu consultants see in the bound group (setMyCommands for that chat)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import SetMyCommands
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.binding import GroupBinding
from bot.content import Content

log = logging.getLogger(__name__)


def group_menu(content: Content, chat_id: int) -> SetMyCommands:
    """The call that sets the consultants' command menu in one group."""
    commands = [
        BotCommand(command=name, description=text) for name, text in content.group_commands()
    ]
    return SetMyCommands(commands=commands, scope=BotCommandScopeChat(chat_id=chat_id))


async def set_group_menu(bot: Bot, content: Content, chat_id: int) -> None:
    await bot(group_menu(content, chat_id))


async def configure_group_menu(bot: Bot, content: Content, binding: GroupBinding) -> None:
    """At start-up: the menu of the bound group, if any (an unreachable group is only logged)."""
    chat_id = await binding.chat_id()
    if chat_id is None:
        log.warning("no consultants' group bound: set CONSULTANTS_CHAT_ID or send /bind there")
        return
    try:
        await set_group_menu(bot, content, chat_id)
    except TelegramAPIError as error:
        log.warning("group menu not set for %d: %s", chat_id, error)
