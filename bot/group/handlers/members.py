"""Changes of the consultants' group's members (chat_member): access follows them at once.

Telegram sends these only to a bot that is an administrator of the group and asked for
them in allowed_updates (registering this handler puts "chat_member" there).
"""

from __future__ import annotations

from aiogram.types import ChatMemberUpdated

from bot.group.access import Consultants


async def on_member_change(event: ChatMemberUpdated, consultants: Consultants) -> None:
    consultants.observe(event.chat.id, event.new_chat_member)
