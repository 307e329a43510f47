"""Binding the consultants' group and following it: /bind, supergroup upgrades, and the
bot being removed from or added back to the group (my_chat_member)."""

from __future__ import annotations

import asyncio
import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatMemberUpdated, Message

from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.group.access import Consultants
from bot.group.menu import set_group_menu

log = logging.getLogger(__name__)

PRESENT = frozenset({"member", "administrator", "creator", "restricted"})
GONE = frozenset({"left", "kicked"})


async def _group_changed(
    bot: Bot, repo: Repositories, content: Content, chat_id: int,
    consultants: Consultants, outbox_wakeup: asyncio.Event | None,
) -> None:
    """The bound group is (again) somewhere new: fresh membership, menu, backlog due now."""
    consultants.forget()
    await repo.outbox.hurry_group(time.time())
    if outbox_wakeup is not None:
        outbox_wakeup.set()
    try:
        await set_group_menu(bot, content, chat_id)
    except TelegramAPIError as error:
        log.warning("group menu not set for %d: %s", chat_id, error)


async def on_bind(
    message: Message, bot: Bot, repo: Repositories, content: Content,
    consultants: Consultants, outbox_wakeup: asyncio.Event | None = None,
) -> None:
    user = message.from_user
    if user is None or not consultants.is_admin(user.id):
        await message.reply(content.text("group_hints.bind_denied"))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    await consultants.binding.bind(message.chat.id, thread)
    await _group_changed(bot, repo, content, message.chat.id, consultants, outbox_wakeup)
    await message.reply(content.text("group_hints.bind_done", topic=thread is not None))


async def on_bind_in_private(message: Message, content: Content) -> None:
    await message.answer(content.text("group_hints.bind_private"))


async def on_migrated_to(
    message: Message, bot: Bot, repo: Repositories, content: Content,
    consultants: Consultants, outbox_wakeup: asyncio.Event | None = None,
) -> None:
    """Service message in the old group: it became the supergroup `migrate_to_chat_id`."""
    assert message.migrate_to_chat_id is not None
    if await consultants.binding.migrate(message.chat.id, message.migrate_to_chat_id):
        await _group_changed(
            bot, repo, content, message.migrate_to_chat_id, consultants, outbox_wakeup
        )


async def on_migrated_from(
    message: Message, bot: Bot, repo: Repositories, content: Content,
    consultants: Consultants, outbox_wakeup: asyncio.Event | None = None,
) -> None:
    """Service message in the new supergroup: it was the group `migrate_from_chat_id`."""
    assert message.migrate_from_chat_id is not None
    if await consultants.binding.migrate(message.migrate_from_chat_id, message.chat.id):
        await _group_changed(bot, repo, content, message.chat.id, consultants, outbox_wakeup)


async def on_bot_membership(
    event: ChatMemberUpdated, bot: Bot, repo: Repositories, content: Content,
    settings: Settings, consultants: Consultants, outbox_wakeup: asyncio.Event | None = None,
) -> None:
    if event.chat.id != await consultants.binding.chat_id():
        return
    status = str(getattr(event.new_chat_member.status, "value", event.new_chat_member.status))
    if status in PRESENT:
        log.warning("bot is back in the consultants' group %d", event.chat.id)
        await _group_changed(bot, repo, content, event.chat.id, consultants, outbox_wakeup)
    elif status in GONE:
        log.error("bot was removed from the consultants' group %d", event.chat.id)
        await repo.outbox.begin_outage(time.time(), settings.admin_ids, "kicked")
        if outbox_wakeup is not None:
            outbox_wakeup.set()
