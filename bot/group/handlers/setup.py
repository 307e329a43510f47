"""Binding the consultants' group and following it: /bind, supergroup upgrades, and the
bot being removed from or added back to the group (my_chat_member)."""

from __future__ import annotations

import logging
import time

from aiogram.types import ChatMemberUpdated, Message

from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.group.access import Consultants
from bot.group.views.menu import group_menu

log = logging.getLogger(__name__)

PRESENT = frozenset({"member", "administrator", "creator", "restricted"})
GONE = frozenset({"left", "kicked"})


async def _group_changed(
    reply: Replies, repo: Repositories, content: Content, chat_id: int,
    consultants: Consultants,
) -> None:
    """The bound group is (again) somewhere new: fresh membership, menu, backlog due now
    (the outbox sender looks as soon as this update is committed)."""
    consultants.forget()
    await repo.outbox.hurry_group(time.time())
    reply(group_menu(content, chat_id))


async def on_bind(
    message: Message, reply: Replies, repo: Repositories, content: Content,
    consultants: Consultants,
) -> None:
    user = message.from_user
    if user is None or not consultants.is_admin(user.id):
        reply(message.reply(content.text("group_hints.bind_denied")))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    await consultants.binding.bind(message.chat.id, thread)
    await _group_changed(reply, repo, content, message.chat.id, consultants)
    reply(message.reply(content.text("group_hints.bind_done", topic=thread is not None)))


async def on_bind_in_private(message: Message, reply: Replies, content: Content) -> None:
    reply(message.answer(content.text("group_hints.bind_private")))


async def on_migrated_to(
    message: Message, reply: Replies, repo: Repositories, content: Content,
    consultants: Consultants,
) -> None:
    """Service message in the old group: it became the supergroup `migrate_to_chat_id`."""
    assert message.migrate_to_chat_id is not None
    if await consultants.binding.migrate(message.chat.id, message.migrate_to_chat_id):
        await _group_changed(reply, repo, content, message.migrate_to_chat_id, consultants)


async def on_migrated_from(
    message: Message, reply: Replies, repo: Repositories, content: Content,
    consultants: Consultants,
) -> None:
    """Service message in the new supergroup: it was the group `migrate_from_chat_id`."""
    assert message.migrate_from_chat_id is not None
    if await consultants.binding.migrate(message.migrate_from_chat_id, message.chat.id):
        await _group_changed(reply, repo, content, message.chat.id, consultants)


async def on_bot_membership(
    event: ChatMemberUpdated, reply: Replies, repo: Repositories, content: Content,
    settings: Settings, consultants: Consultants,
) -> None:
    if event.chat.id != await consultants.binding.chat_id():
        return
    status = str(getattr(event.new_chat_member.status, "value", event.new_chat_member.status))
    if status in PRESENT:
        log.warning("bot is back in the consultants' group %d", event.chat.id)
        await _group_changed(reply, repo, content, event.chat.id, consultants)
    elif status in GONE:
        log.error("bot was removed from the consultants' group %d", event.chat.id)
        await repo.outbox.begin_outage(time.time(), settings.admin_ids, "kicked")
