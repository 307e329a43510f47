"""Changes of the consultants' group's members (chat_member): access follows them at once.

Telegram sends these only to a bot that is an administrator of the group and asked for
them in allowed_updates (registering this handler puts "chat_member" there).
"""

from __future__ import annotations

from aiogram.types import ChatMemberUpdated

from bot.db.repos import Repositories
from bot.group.access import Consultants, counts_as_member


async def on_member_change(
    event: ChatMemberUpdated, consultants: Consultants, repo: Repositories
) -> None:
    consultants.observe(event.chat.id, event.new_chat_member)
    if not counts_as_member(event.new_chat_member):  # gone: no new leads for them
        await repo.duty.off(event.new_chat_member.user.id)
