"""Who is a consultant: an admin from ADMIN_IDS or a member of the bound group.

Membership comes from getChatMember, cached per user for `member_cache_seconds`; a failed
lookup (group unreachable) counts as "not a member" and is not cached. Where the bot is an
administrator of the group, Telegram also tells it of every member's change (chat_member):
that replaces the cached verdict at once, so someone removed loses access immediately, not
when the cache expires. Router filters built on it keep group chats and consultants'
private commands apart from everything else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, ChatMember, Message, TelegramObject

from bot.binding import GroupBinding
from bot.config import Settings
from bot.db.kv import KvRepo

log = logging.getLogger(__name__)

MEMBER_STATUSES = frozenset({"creator", "administrator", "member"})
CACHE_LIMIT = 10_000


class Consultants:
    """Membership checks with a short cache; one per process, handed to handlers."""

    def __init__(
        self, settings: Settings, kv: KvRepo, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.binding = GroupBinding(settings, kv)
        self._monotonic = monotonic
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}
        self._observed = 0  # changes Telegram reported; a lookup older than one is stale

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.settings.admin_ids

    async def is_consultant(self, bot: Bot, user_id: int) -> bool:
        if self.is_admin(user_id):
            return True
        chat_id = await self.binding.chat_id()
        if chat_id is None:
            return False
        return await self.is_member(bot, chat_id, user_id)

    async def is_member(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        observed = self._observed
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramAPIError as error:
            log.info("getChatMember(%d, %d) failed: %s", chat_id, user_id, error)
            return False
        verdict = counts_as_member(member)
        if self._observed != observed and key in self._cache:
            return self._cache[key][1]  # a change reported meanwhile is newer than our answer
        self._remember(key, verdict)
        return verdict

    def observe(self, chat_id: int, member: ChatMember) -> None:
        """Telegram reported this member's new status (chat_member): trust it at once."""
        self._observed += 1
        self._remember((chat_id, member.user.id), counts_as_member(member))

    def _remember(self, key: tuple[int, int], verdict: bool) -> None:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = (self._monotonic() + self.settings.member_cache_seconds, verdict)

    def forget(self, user_id: int | None = None) -> None:
        if user_id is None:
            self._cache.clear()
        else:
            for key in [key for key in self._cache if key[1] == user_id]:
                del self._cache[key]


def counts_as_member(member: ChatMember) -> bool:
    status = str(getattr(member.status, "value", member.status))
    return status in MEMBER_STATUSES or (
        status == "restricted" and bool(getattr(member, "is_member", False))
    )


def _chat_id(event: TelegramObject) -> int | None:
    if isinstance(event, Message):
        return event.chat.id
    if isinstance(event, CallbackQuery) and event.message is not None:
        return event.message.chat.id
    chat = getattr(event, "chat", None)
    return getattr(chat, "id", None)


class InConsultantsGroup(Filter):
    """The update comes from the bound consultants' group."""

    async def __call__(self, event: TelegramObject, consultants: Consultants) -> bool:
        chat_id = _chat_id(event)
        return chat_id is not None and chat_id == await consultants.binding.chat_id()


class IsConsultant(Filter):
    """The sender is a consultant (group member or admin)."""

    async def __call__(
        self, event: TelegramObject, bot: Bot, consultants: Consultants, **_: Any
    ) -> bool:
        user = getattr(event, "from_user", None)
        if user is None or user.is_bot:
            return False
        return await consultants.is_consultant(bot, user.id)
