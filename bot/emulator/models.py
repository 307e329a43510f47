"""Records the emulated Telegram keeps in memory: users, chats, messages, files, events.

Each record renders itself two ways: `to_telegram()` is the exact Bot API object Telegram
would send, `to_dict()` is the emulator's own JSON view for tests and the control API.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any


def field_values(record: Any, *names: str) -> dict[str, Any]:
    """The JSON view of a record's fields `names` (every field when none is named), each as
    it is (values not copied)."""
    return {name: getattr(record, name) for name in names or [f.name for f in fields(record)]}


@dataclass(slots=True, eq=False)
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"
    is_bot: bool = False
    started: bool = False  # wrote to the bot in private, so the bot may message them
    blocked: bool = False  # blocked the bot

    def to_telegram(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def to_dict(self) -> dict[str, Any]:
        return {**self.to_telegram(), **field_values(self, "started", "blocked")}


@dataclass(slots=True, eq=False)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    kind: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    # A photo is stored in several sizes: the smaller ones point at the largest (`parent`),
    # which lists them (`variants`, smallest first).
    parent: StoredFile | None = None
    variants: list[StoredFile] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data)

    def to_telegram(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.to_telegram(), **field_values(self, "kind", "file_name", "mime_type")}


@dataclass(slots=True, eq=False)
class ChatRecord:
    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None  # private chats mirror their user
    last_name: str | None = None
    is_forum: bool = False
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    banned: set[int] = field(default_factory=set)
    creator: int | None = None
    bot_present: bool = True
    bot_admin: bool = False
    absent_reason: str = "kicked"  # why an absent bot is absent: kicked, left or not_found
    migrated_to: int | None = None
    migrated_from: int | None = None
    bot_rights: frozenset[str] | None = None  # the bot's admin rights; None: all of them
    reply_keyboard: dict[str, Any] | None = None
    menu_button: dict[str, Any] | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    topics: dict[int, ForumTopicRecord] = field(default_factory=dict)  # forums: by thread id
    next_message_id: int = 1

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def to_telegram(self) -> dict[str, Any]:
        """The short Chat object of messages and updates, field for field as the Bot API
        server writes it (a basic group also says whether everyone is an administrator and
        which gifts it accepts: none)."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.is_private:
            chat["first_name"] = self.first_name
            if self.last_name:
                chat["last_name"] = self.last_name
        else:
            chat["title"] = self.title
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        if self.type == "group":
            chat["all_members_are_administrators"] = False
            chat["accepted_gift_types"] = dict.fromkeys(GIFT_TYPES, False)
        return chat

    def bot_has_right(self, right: str) -> bool:
        """Whether the bot is an administrator here with `right` (private chats: no)."""
        if self.is_private or not self.bot_present or not self.bot_admin:
            return False
        return self.bot_rights is None or right in self.bot_rights

    def topic(self, thread_id: int) -> ForumTopicRecord | None:
        """An existing (not deleted) forum topic."""
        topic = self.topics.get(thread_id)
        return topic if topic is not None and not topic.deleted else None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.to_telegram(),
            "is_forum": self.is_forum,
            "members": sorted(self.members),
            "admins": sorted(self.admins),
            "banned": sorted(self.banned),
            **field_values(
                self, "creator", "bot_present", "bot_admin", "migrated_to", "migrated_from",
                "reply_keyboard",
            ),
            "message_count": len(self.messages),
        }


GIFT_TYPES = (
    "unlimited_gifts",
    "limited_gifts",
    "unique_gifts",
    "premium_subscription",
    "gifts_from_channels",
)
GENERAL_TOPIC_ID = 1  # the General topic of a forum: its messages carry no message_thread_id


@dataclass(slots=True, eq=False)
class ForumTopicRecord:
    """A forum topic; its id is the message id of the forum_topic_created service message."""

    thread_id: int
    name: str
    icon_color: int
    creator_id: int  # a user id, or the bot's id
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def to_telegram(self) -> dict[str, Any]:
        """Bot API ForumTopic (what createForumTopic returns)."""
        topic: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic

    def to_dict(self) -> dict[str, Any]:
        return {**self.to_telegram(), **field_values(self, "creator_id", "closed", "deleted")}


# What an edit of a message can change (its earlier versions keep these, see `snapshot`).
EDITABLE = (
    "text", "html", "entities", "caption", "caption_html", "caption_entities", "reply_markup"
)


@dataclass(slots=True, eq=False)
class StoredMessage:
    message_id: int
    chat: ChatRecord
    sender: dict[str, Any]  # Telegram User object of the author
    from_bot: bool
    date: int
    kind: str = "text"  # text, document, photo, contact, sticker, voice, service, ...
    text: str | None = None
    html: str | None = None  # as the bot sent it with parse_mode=HTML, else escaped text
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to: StoredMessage | None = None
    message_thread_id: int | None = None
    is_topic_message: bool = False
    edit_date: int | None = None
    link_preview_options: dict[str, Any] | None = None  # text messages, as they were sent
    has_protected_content: bool = False
    effect_id: str | None = None
    show_caption_above_media: bool = False
    sender_chat: dict[str, Any] | None = None  # e.g. the group, for its anonymous admins
    reactions: list[dict[str, Any]] = field(default_factory=list)  # the bot's own reaction
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    media: dict[str, Any] = field(default_factory=dict)  # Telegram fields: document, photo…
    file: StoredFile | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # service and forward fields

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def sender_id(self) -> int:
        return int(self.sender["id"])

    @property
    def inline_markup(self) -> dict[str, Any] | None:
        """The markup Telegram keeps on the message: inline keyboards only."""
        markup = self.reply_markup
        return markup if markup is not None and "inline_keyboard" in markup else None

    @property
    def replied(self) -> StoredMessage | None:
        """The message this one answers as Telegram shows it: the one it replies to, else,
        inside a forum topic, the topic's forum_topic_created message (a topic is the thread
        of that message, so Telegram sets it as reply_to_message of every other message in
        the topic; for a topic the bot created, that message is the bot's)."""
        if self.reply_to is not None:
            return self.reply_to
        thread_id = self.message_thread_id
        if not self.is_topic_message or thread_id is None or thread_id == self.message_id:
            return None
        root = self.chat.messages.get(thread_id)
        return root if root is not None and root.kind == "service" else None

    def snapshot(self) -> dict[str, Any]:
        return field_values(self, *EDITABLE, "edit_date")

    def push_history(self) -> None:
        self.history.append(self.snapshot())
        self.edit_date = int(time.time())

    def to_telegram(self, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API Message. `with_reply=False` leaves out reply_to_message, as Telegram
        does for the replied-to message itself and for the result of an edit."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
        }
        if self.sender_chat is not None:
            message["sender_chat"] = self.sender_chat
        message["chat"] = self.chat.to_telegram()
        message["date"] = self.date
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.message_thread_id is not None:
            message["message_thread_id"] = self.message_thread_id
        reply_to = self.replied
        if with_reply and reply_to is not None and not reply_to.deleted:
            message["reply_to_message"] = reply_to.to_telegram(with_reply=False)
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = self.entities
            if self.link_preview_options:
                message["link_preview_options"] = self.link_preview_options
        if self.media:
            message.update(self.media)
        if self.caption:
            message["caption"] = self.caption
            if self.caption_entities:
                message["caption_entities"] = self.caption_entities
            if self.show_caption_above_media:
                message["show_caption_above_media"] = True
        markup = self.inline_markup
        if markup is not None:
            message["reply_markup"] = markup
        if self.has_protected_content:
            message["has_protected_content"] = True
        if self.is_topic_message:
            message["is_topic_message"] = True
        if self.effect_id:
            message["effect_id"] = self.effect_id
        if self.extra:
            message.update(self.extra)
        return message

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "chat_id": self.chat.id,
            "message_thread_id": self.message_thread_id,
            "from_bot": self.from_bot,
            "sender_id": self.sender_id,
            "sender_name": self.sender.get("first_name"),
            **field_values(self, "date", "edit_date", "kind", *EDITABLE),
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "link_preview_options": self.link_preview_options,
            "has_protected_content": self.has_protected_content,
            "effect_id": self.effect_id,
            "show_caption_above_media": self.show_caption_above_media,
            "reactions": self.reactions,
            "deleted": self.deleted,
            "history": self.history,
            "media": self.media,
            "contact": self.media.get("contact"),
            "file": self.file.to_dict() if self.file is not None else None,
            "extra": self.extra,
        }


@dataclass(slots=True, eq=False)
class Event:
    """One step of the world's story; `seq` is global and strictly increasing per bot."""

    seq: int
    kind: str  # message, edit, delete, callback_query, callback_answer, inline_*, chat_action
    chat_id: int | None
    ts: float
    message: StoredMessage | None = None
    data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        event: dict[str, Any] = {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "ts": self.ts,
        }
        if self.message is not None:
            event["message"] = self.message.to_dict()
        if self.data:
            event.update(self.data)
        return event


class PlainRecord:
    """A record whose JSON view is every field as it is."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        return field_values(self)


@dataclass(slots=True, eq=False)
class RecordedCall(PlainRecord):
    method: str
    params: dict[str, Any]
    ts: float
    ok: bool | None = None  # None while the call is still running (a long poll)
    error: str | None = None
    result: Any = None  # what the method answered (by reference, not copied)


@dataclass(slots=True, eq=False)
class CallbackQueryRecord(PlainRecord):
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    answer: dict[str, Any] | None = None
    answered_at: float | None = None


@dataclass(slots=True, eq=False)
class InlineQueryRecord(PlainRecord):
    id: str
    user_id: int
    query: str
    created: float
    answered: bool = False
    results: list[dict[str, Any]] | None = None
    options: dict[str, Any] | None = None
