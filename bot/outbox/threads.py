"""Where the messages about a lead go in the consultants' group: the lead's thread.

In a forum (topics on) each lead has its own topic, made by the bot, whose first message is
the lead's card; the general topic (or the topic the group was bound to) gets a one-line
notice leading there. Without topics the thread is the card and the replies to it.

A topic someone deleted is made again (with a fresh card) the next time something must go
there; a closed one is reopened, so that consultants can answer. Each step that changes
Telegram is recorded at once (the topic, then the card), so a retry after a failure goes on
from there; a thread that cannot be reached even after being made again is given up
(`ThreadUnavailable`), never retried in a loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from bot.binding import GroupTarget
from bot.db.cards import CardRow
from bot.db.leads import Notification
from bot.db.models import LeadRow
from bot.db.relay import TopicRow
from bot.db.repos import Repositories
from bot.domain import OutboxKind
from bot.outbox.views import GroupViews

log = logging.getLogger(__name__)

T = TypeVar("T")
Throttle = Callable[[int], Awaitable[None]]

TOPIC_GONE = ("thread not found", "topic_deleted", "topic_id_invalid")
TOPIC_CLOSED = "topic_closed"
NOT_MODIFIED = "topic_not_modified"
NO_TOPICS = ("not a forum", "not enough rights to create a topic")
FORUM_CHECK_SECONDS = 300.0


class ThreadUnavailable(Exception):
    """The lead's thread cannot be reached, even after making it again: give the row up."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where a message about a lead goes: a topic of its own, or the card's thread."""

    chat_id: int
    thread_id: int | None  # message_thread_id (None: no forum, or its general topic)
    card_id: int | None  # the card (a message in a plain group replies to it)
    topic: bool  # the lead's own forum topic


class Threads:
    def __init__(
        self, bot: Bot, repo: Repositories, views: GroupViews, throttle: Throttle
    ) -> None:
        self.bot, self.repo, self.views, self.throttle = bot, repo, views, throttle
        self._topics_on: dict[int, tuple[float, bool]] = {}  # chat id -> (checked, on)

    def forget(self) -> None:
        """Ask Telegram again next time whether groups have topics."""
        self._topics_on.clear()

    async def topics_on(self, chat_id: int) -> bool:
        """Whether leads get topics in this group: a forum where the bot may make them
        (asked at most every few minutes; a refusal to make one turns it off for as long)."""
        known = self._topics_on.get(chat_id)
        if known is not None and time.monotonic() - known[0] < FORUM_CHECK_SECONDS:
            return known[1]
        chat = await self.bot.get_chat(chat_id)
        on = bool(getattr(chat, "is_forum", False))
        self._topics_on[chat_id] = (time.monotonic(), on)
        return on

    async def place(self, lead: LeadRow, target: GroupTarget) -> Place:
        """The lead's thread, made (topic and card) when there is none here yet."""
        card = await self.repo.cards.get(lead.id)
        here = card if card is not None and card.chat_id == target.chat_id else None
        if await self.topics_on(target.chat_id):
            topic = await self.repo.relay.topic(lead.id)
            if topic is None or topic.chat_id != target.chat_id:
                return await self.post_card(lead, target)
            if topic.closed:
                await self._reopen(topic)
            card_id = here.message_id if here and here.thread_id == topic.thread_id else None
            return Place(topic.chat_id, topic.thread_id, card_id, True)
        if here is not None:
            return Place(here.chat_id, here.thread_id, here.message_id, False)
        return await self.post_card(lead, target)

    async def post_card(self, lead: LeadRow, target: GroupTarget) -> Place:
        """Post the lead's card where it belongs now — in a new topic when topics are on —
        and make it the lead's current card at once."""
        thread_id, topic = target.thread_id, False
        if await self.topics_on(target.chat_id):
            made = await self._open_topic(lead, target)
            if made is not None:
                thread_id, topic = made.thread_id, True
        text, markup = await self.views.card(lead)
        await self.throttle(target.chat_id)
        message = await self.bot.send_message(
            target.chat_id, text, reply_markup=markup, message_thread_id=thread_id
        )
        await self.repo.cards.save(CardRow(lead.id, target.chat_id, message.message_id, thread_id))
        if topic and thread_id is not None:
            await self.repo.outbox.add(
                Notification(OutboxKind.topic_notice, None, {"thread_id": thread_id}),
                lead.id, f"{OutboxKind.topic_notice}:{lead.id}:{target.chat_id}:{thread_id}",
            )
        return Place(target.chat_id, thread_id, message.message_id, topic)

    async def send(
        self, lead: LeadRow, target: GroupTarget, call: Callable[[Place], Awaitable[T]]
    ) -> tuple[T, Place]:
        """Make `call` in the lead's thread; a topic found deleted is made again and a
        closed one reopened, once. The group's rate limit is kept for each try."""
        place = await self.place(lead, target)
        for attempt in (1, 2):
            await self.throttle(place.chat_id)
            try:
                return await call(place), place
            except TelegramBadRequest as error:
                description = error.message.lower()
                if not place.topic or place.thread_id is None:
                    raise
                if attempt == 2:
                    raise ThreadUnavailable(error.message) from error
                if TOPIC_CLOSED in description:
                    await self._reopen(TopicRow(lead.id, place.chat_id, place.thread_id, True))
                elif any(marker in description for marker in TOPIC_GONE):
                    log.warning("topic of lead %d is gone; making it again", lead.id)
                    await self.repo.relay.drop_topic(lead.id, place.thread_id)
                    place = await self.post_card(lead, target)
                else:
                    raise
        raise AssertionError("unreachable")

    async def _open_topic(self, lead: LeadRow, target: GroupTarget) -> TopicRow | None:
        """A new topic for the lead (None: this group cannot have one after all)."""
        await self.throttle(target.chat_id)  # its first message is a service message
        try:
            created = await self.bot.create_forum_topic(
                target.chat_id, self.views.topic_title(lead)
            )
        except TelegramBadRequest as error:
            if any(marker in error.message.lower() for marker in NO_TOPICS):
                log.warning("no topics in the consultants' group: %s", error.message)
                self._topics_on[target.chat_id] = (time.monotonic(), False)
                return None
            raise
        topic = TopicRow(lead.id, target.chat_id, created.message_thread_id)
        await self.repo.relay.save_topic(topic)
        return topic

    async def _reopen(self, topic: TopicRow) -> None:
        try:
            await self.bot.reopen_forum_topic(topic.chat_id, topic.thread_id)
        except TelegramBadRequest as error:
            if NOT_MODIFIED not in error.message.lower():
                raise
        await self.repo.relay.mark_closed(topic.chat_id, topic.thread_id, False)
