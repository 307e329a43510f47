"""Which chat is the consultants' group (and which forum topic gets the cards).

`/bind` stores the chat in `kv` and wins over `CONSULTANTS_CHAT_ID`; a group upgraded to a
supergroup is followed by storing the new id the same way. Read from the database every
time (one indexed row), so the dispatcher and the outbox sender always agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.db.kv import KvRepo

log = logging.getLogger(__name__)

CHAT_KEY = "group.chat_id"
THREAD_KEY = "group.thread_id"
NO_THREAD = ""


@dataclass(frozen=True, slots=True)
class GroupTarget:
    chat_id: int
    thread_id: int | None  # forum topic for new posts


class GroupBinding:
    def __init__(self, settings: Settings, kv: KvRepo) -> None:
        self.settings = settings
        self.kv = kv

    async def target(self) -> GroupTarget | None:
        stored = await self.kv.get(CHAT_KEY)
        if stored:
            thread = await self.kv.get(THREAD_KEY)
            return GroupTarget(int(stored), int(thread) if thread else None)
        if self.settings.consultants_chat_id is None:
            return None
        return GroupTarget(self.settings.consultants_chat_id, self.settings.consultants_thread_id)

    async def chat_id(self) -> int | None:
        target = await self.target()
        return None if target is None else target.chat_id

    async def bind(self, chat_id: int, thread_id: int | None) -> None:
        await self.kv.set(THREAD_KEY, str(thread_id) if thread_id else NO_THREAD)
        await self.kv.set(CHAT_KEY, str(chat_id))
        log.info("consultants' group bound to %d (topic %s)", chat_id, thread_id)

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """Follow a group upgraded to a supergroup; True when the bound group moved now."""
        current = await self.chat_id()
        if current != old_chat_id or old_chat_id == new_chat_id:
            return False
        # A basic group has no topics, so the supergroup starts without one.
        await self.bind(new_chat_id, None)
        log.warning("consultants' group %d became supergroup %d", old_chat_id, new_chat_id)
        return True

    async def drop_thread(self) -> None:
        """The topic is gone: post to the group itself from now on."""
        target = await self.target()
        if target is not None and target.thread_id is not None:
            await self.bind(target.chat_id, None)
            log.warning("forum topic %d is gone; posting to the group", target.thread_id)
