"""Forum topics: created, edited, closed, reopened and deleted, by the bot or by people.

Mixed into `BotWorld`. A topic's id is the message id of its `forum_topic_created` service
message. Every change posts the service message Telegram posts in the topic
(forum_topic_created / forum_topic_edited / forum_topic_closed / forum_topic_reopened); a
change made by a person reaches the bot as an update like any service message, one made by
the bot does not (bots get no updates about their own messages). Deleting a topic deletes
every message in it. Control methods raise `ControlError` on misuse; the Bot API methods in
`methods/topics.py` check rights and answer with Telegram's errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.emulator.errors import ControlError
from bot.emulator.models import GENERAL_TOPIC_ID, ForumTopicRecord

if TYPE_CHECKING:
    from bot.emulator.models import ChatRecord
    from bot.emulator.world import BotWorld

# The colours Telegram allows for topic icons (Bot API, createForumTopic).
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
TOPIC_NAME_LIMIT = 128  # longer names are cut, as Telegram cuts them


class TopicsMixin:
    # -- what people do (control side) ------------------------------------------------------

    def create_topic(
        self: BotWorld,
        chat_id: int,
        name: str,
        by: int | None = None,
        icon_color: int | None = None,
        icon_custom_emoji_id: str | None = None,
        thread_id: int | None = None,
    ) -> ForumTopicRecord:
        """A member (by default an administrator) creates a topic; `thread_id` pins its id
        (it must be above every message id of the chat so far)."""
        chat = self._forum(chat_id)
        actor = self._topic_actor(chat, by)
        if not name.strip():
            raise ControlError("a topic needs a name")
        if thread_id is not None:
            if thread_id <= GENERAL_TOPIC_ID or thread_id < chat.next_message_id:
                raise ControlError(f"message id {thread_id} is taken in chat {chat_id}")
            chat.next_message_id = thread_id
        return self.open_topic(chat, name, actor, icon_color, icon_custom_emoji_id)

    def edit_topic(
        self: BotWorld,
        chat_id: int,
        thread_id: int,
        name: str | None = None,
        icon_custom_emoji_id: str | None = None,
        by: int | None = None,
    ) -> ForumTopicRecord:
        chat = self._forum(chat_id)
        topic = self._existing_topic(chat, thread_id)
        self.change_topic(chat, topic, self._topic_actor(chat, by), name, icon_custom_emoji_id)
        return topic

    def close_topic(
        self: BotWorld, chat_id: int, thread_id: int, by: int | None = None
    ) -> ForumTopicRecord:
        return self._close_or_reopen(chat_id, thread_id, by, closed=True)

    def reopen_topic(
        self: BotWorld, chat_id: int, thread_id: int, by: int | None = None
    ) -> ForumTopicRecord:
        return self._close_or_reopen(chat_id, thread_id, by, closed=False)

    def _close_or_reopen(
        self: BotWorld, chat_id: int, thread_id: int, by: int | None, closed: bool
    ) -> ForumTopicRecord:
        chat = self._forum(chat_id)
        topic = self._existing_topic(chat, thread_id)
        self.toggle_topic(chat, topic, self._topic_actor(chat, by), closed=closed)
        return topic

    def delete_topic(self: BotWorld, chat_id: int, thread_id: int) -> ForumTopicRecord:
        chat = self._forum(chat_id)
        topic = self._existing_topic(chat, thread_id)
        self.remove_topic(chat, topic)
        return topic

    def topics(self: BotWorld, chat_id: int) -> list[ForumTopicRecord]:
        """Every topic of a chat, deleted ones included, oldest first."""
        return list(self.group(chat_id).topics.values())

    # -- shared by the control side and the Bot API -----------------------------------------

    def open_topic(
        self: BotWorld,
        chat: ChatRecord,
        name: str,
        actor: dict[str, Any],
        icon_color: int | None = None,
        icon_custom_emoji_id: str | None = None,
    ) -> ForumTopicRecord:
        # Message 1 of a forum opens its General topic: topic ids start above it.
        chat.next_message_id = max(chat.next_message_id, GENERAL_TOPIC_ID + 1)
        thread_id = chat.next_message_id
        if icon_color not in TOPIC_COLORS:
            icon_color = TOPIC_COLORS[thread_id % len(TOPIC_COLORS)]
        topic = ForumTopicRecord(
            thread_id,
            name.strip()[:TOPIC_NAME_LIMIT],
            icon_color,
            int(actor["id"]),
            icon_custom_emoji_id or None,
        )
        chat.topics[thread_id] = topic
        created: dict[str, Any] = {"name": topic.name, "icon_color": topic.icon_color}
        if topic.icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
        self._topic_service(chat, topic, actor, {"forum_topic_created": created})
        return topic

    def change_topic(
        self: BotWorld,
        chat: ChatRecord,
        topic: ForumTopicRecord,
        actor: dict[str, Any],
        name: str | None,
        icon_custom_emoji_id: str | None,
    ) -> bool:
        """Rename and/or change the icon; False when nothing was asked for."""
        edited: dict[str, Any] = {}
        if name:
            topic.name = name.strip()[:TOPIC_NAME_LIMIT]
            edited["name"] = topic.name
        if icon_custom_emoji_id is not None:
            topic.icon_custom_emoji_id = icon_custom_emoji_id or None
            edited["icon_custom_emoji_id"] = icon_custom_emoji_id
        if not edited:
            return False
        self._topic_service(chat, topic, actor, {"forum_topic_edited": edited})
        return True

    def toggle_topic(
        self: BotWorld,
        chat: ChatRecord,
        topic: ForumTopicRecord,
        actor: dict[str, Any],
        *,
        closed: bool,
    ) -> None:
        topic.closed = closed
        field = "forum_topic_closed" if closed else "forum_topic_reopened"
        self._topic_service(chat, topic, actor, {field: {}})

    def remove_topic(self: BotWorld, chat: ChatRecord, topic: ForumTopicRecord) -> None:
        """The topic and every message in it are gone."""
        topic.deleted = True
        for message in list(chat.messages.values()):
            if message.message_thread_id == topic.thread_id and not message.deleted:
                message.deleted = True
                self.emit("delete", chat.id, message)

    # -- internals --------------------------------------------------------------------------

    def _forum(self: BotWorld, chat_id: int) -> ChatRecord:
        chat = self.group(chat_id)
        if not chat.is_forum:
            raise ControlError(f"chat {chat_id} is not a forum")
        return chat

    def _existing_topic(self: BotWorld, chat: ChatRecord, thread_id: int) -> ForumTopicRecord:
        topic = chat.topic(thread_id)
        if topic is None:
            raise ControlError(f"chat {chat.id} has no topic {thread_id}", status=404)
        return topic

    def _topic_actor(self: BotWorld, chat: ChatRecord, by: int | None) -> dict[str, Any]:
        if by is None:
            return self._some_admin(chat)
        if by not in chat.members:
            raise ControlError(f"user {by} is not a member of chat {chat.id}")
        return self.user(by).to_telegram()

    def _topic_service(
        self: BotWorld,
        chat: ChatRecord,
        topic: ForumTopicRecord,
        actor: dict[str, Any],
        fields: dict[str, Any],
    ) -> None:
        from_bot = actor["id"] == self.bot_id
        message = self.post_message(
            chat,
            sender=actor,
            from_bot=from_bot,
            kind="service",
            message_thread_id=topic.thread_id,
            is_topic_message=True,
        )
        message.extra.update(fields)
        if not from_bot and chat.bot_present and chat.migrated_to is None:
            self.enqueue({"message": message.to_telegram()})
