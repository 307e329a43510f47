"""Binding the consultants' group and following it: /bind, supergroup upgrades, and the
bot being removed from or added back to the group (my_chat_member)."""

from __future__ import annotations

import logging
import time

from aiogram.types import ChatMemberUpdated, Message

from bot.content import Content
from bot.delivery.replies import Replies
from bot.group.desk import Desk
from bot.group.views.menu import group_menu

log = logging.getLogger(__name__)

PRESENT = frozenset({"member", "administrator", "creator", "restricted"})
GONE = frozenset({"left", "kicked"})


async def _group_changed(desk: Desk, chat_id: int) -> None:
    """The bound group is (again) somewhere new: fresh membership, menu, backlog due now
    (the outbox sender looks as soon as this update is committed)."""
    desk.consultants.forget()
    await desk.repo.outbox.hurry_group(time.time())
    desk.reply(group_menu(desk.content, chat_id))


async def on_bind(message: Message, desk: Desk) -> None:
    reply, content, consultants = desk.reply, desk.content, desk.consultants
    if not consultants.is_admin(desk.user.id):
        reply(message.reply(content.text("group_hints.bind_denied")))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    await consultants.binding.bind(message.chat.id, thread)
    await _group_changed(desk, message.chat.id)
    reply(message.reply(content.text("group_hints.bind_done", topic=thread is not None)))


async def on_bind_in_private(message: Message, reply: Replies, content: Content) -> None:
    reply(message.answer(content.text("group_hints.bind_private")))


async def on_migrated_to(message: Message, desk: Desk) -> None:
    """Service message in the old group: it became the supergroup `migrate_to_chat_id`."""
    assert message.migrate_to_chat_id is not None
    if await desk.consultants.binding.migrate(message.chat.id, message.migrate_to_chat_id):
        await _group_changed(desk, message.migrate_to_chat_id)


async def on_migrated_from(message: Message, desk: Desk) -> None:
    """Service message in the new supergroup: it was the group `migrate_from_chat_id`."""
    assert message.migrate_from_chat_id is not None
    if await desk.consultants.binding.migrate(message.migrate_from_chat_id, message.chat.id):
        await _group_changed(desk, message.chat.id)


async def on_bot_membership(event: ChatMemberUpdated, desk: Desk) -> None:
    if event.chat.id != await desk.consultants.binding.chat_id():
        return
    status = str(getattr(event.new_chat_member.status, "value", event.new_chat_member.status))
    if status in PRESENT:
        log.warning("bot is back in the consultants' group %d", event.chat.id)
        await _group_changed(desk, event.chat.id)
    elif status in GONE:
        log.error("bot was removed from the consultants' group %d", event.chat.id)
        await desk.repo.outbox.begin_outage(time.time(), desk.settings.admin_ids, "kicked")
