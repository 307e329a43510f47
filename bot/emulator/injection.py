"""What users do: messages, button presses, contacts, media, inline queries, raw updates.

Mixed into `BotWorld`. Each action stores what the user's client would show, emits an event
and queues the Update exactly as Telegram would deliver it to this bot (respecting group
privacy mode, the bot's presence and its allowed_updates), returning an `Injected` receipt.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.emulator.errors import ControlError
from bot.emulator.models import (
    GENERAL_TOPIC_ID,
    CallbackQueryRecord,
    ChatRecord,
    InlineQueryRecord,
    UserRecord,
)
from bot.emulator.payloads import (
    MEDIA_KINDS,
    UNCAPTIONED,
    chat_instance,
    leading_command,
    sample_media,
    user_entities,
)

if TYPE_CHECKING:
    from bot.emulator.models import StoredMessage
    from bot.emulator.world import BotWorld


@dataclass(slots=True)
class Injected:
    """Receipt of a user action: the queued update (None when Telegram would not deliver
    it to the bot), the message it created and the event seq of the action."""

    update: dict[str, Any] | None
    seq: int
    message: StoredMessage | None = None
    query_id: str | None = None

    @property
    def update_id(self) -> int | None:
        return self.update["update_id"] if self.update is not None else None

    @property
    def message_id(self) -> int | None:
        return self.message.message_id if self.message is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "update": self.update,
            "update_id": self.update_id,
            "seq": self.seq,
            "message_id": self.message_id,
            "chat_id": self.message.chat_id if self.message is not None else None,
            "message": self.message.to_dict() if self.message is not None else None,
            "query_id": self.query_id,
        }


class InjectionMixin:
    def send_text(
        self: BotWorld,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        thread_id: int | None = None,
        forwarded_from: str | None = None,
        via_bot: str | None = None,
    ) -> Injected:
        """The user types `text` in a chat (their private chat with the bot by default).
        `forwarded_from`: the user forwards someone's message instead (Telegram's
        `forward_origin`, a user who hides their account, under that name); `via_bot`: the
        message was made with that inline bot (its username)."""
        if not text:
            raise ControlError("a message needs text")
        extra: dict[str, Any] = {}
        if forwarded_from is not None:
            extra["forward_origin"] = {
                "type": "hidden_user", "sender_user_name": forwarded_from,
                "date": int(time.time()) - 3600,
            }
        if via_bot is not None:
            extra["via_bot"] = {
                "id": 7_000_000_000 + sum(map(ord, via_bot)), "is_bot": True,
                "first_name": via_bot, "username": via_bot,
            }
        fields: dict[str, Any] = {
            "text": text, "entities": user_entities(text), "html": html.escape(text),
        }
        if extra:
            fields["extra"] = extra
        return self._user_message(
            user_id,
            chat_id,
            kind="text",
            fields=fields,
            reply_to_message_id=reply_to_message_id,
            thread_id=thread_id,
        )

    def share_contact(
        self: BotWorld,
        user_id: int,
        phone_number: str,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> Injected:
        user = self.user(user_id)
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
        }
        if last_name:
            contact["last_name"] = last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._user_message(
            user_id, chat_id, kind="contact", fields={"media": {"contact": contact}}
        )

    def send_media(
        self: BotWorld,
        user_id: int,
        kind: str,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        thread_id: int | None = None,
    ) -> Injected:
        """The user sends a sticker, photo, voice, … (realistic minimal payloads); "contact"
        shares the user's own contact card. In a group, `thread_id` is the forum topic and
        `reply_to_message_id` the message it answers, as for text."""
        if kind == "contact":
            return self.share_contact(
                user_id, f"+7999{user_id % 10_000_000:07d}", contact_user_id=user_id,
                chat_id=chat_id,
            )
        if kind not in MEDIA_KINDS:
            raise ControlError(f"unknown media kind {kind!r}; expected one of {MEDIA_KINDS}")
        media, stored = sample_media(kind, self.add_file, self.next_serial())
        fields: dict[str, Any] = {"media": media, "file": stored}
        if caption:
            fields.update(caption=caption, caption_html=html.escape(caption))
            fields["caption_entities"] = user_entities(caption)
        return self._user_message(
            user_id, chat_id, kind=kind, fields=fields,
            reply_to_message_id=reply_to_message_id, thread_id=thread_id,
        )

    def edit_user_message(
        self: BotWorld, user_id: int, chat_id: int, message_id: int, text: str
    ) -> Injected:
        """The user edits their message: the text of a text message, the caption of a
        photo, video, document, … (Telegram sends the bot an edited_message)."""
        chat = self._chat_of(self.user(user_id), chat_id)
        message = chat.messages.get(message_id)
        if message is None or message.deleted or message.sender_id != user_id:
            raise ControlError(f"user {user_id} has no message {message_id} in chat {chat_id}")
        if message.text is None and message.kind in UNCAPTIONED:
            raise ControlError("only texts and captions of media can be edited")
        message.push_history()
        if message.text is None:  # a photo, video, document, … gets a new caption
            message.caption, message.caption_html = text, html.escape(text)
            message.caption_entities = user_entities(text)
        else:
            message.text, message.html = text, html.escape(text)
            message.entities = user_entities(text)
        event = self.emit("edit", chat.id, message)
        update = None
        if self._delivers(chat, message):
            update = self.enqueue({"edited_message": message.to_telegram()})
        return Injected(update, event.seq, message)

    def click(
        self: BotWorld,
        user_id: int,
        chat_id: int,
        message_id: int,
        callback_data: str,
        allow_non_member: bool = False,
    ) -> Injected:
        """The user presses an inline button carrying `callback_data` (not checked against the
        keyboard, so tests can forge data). The receipt carries the callback query id.
        `allow_non_member=True` forges a press by someone outside the group."""
        user = self.user(user_id)
        chat = self._chat_of(user, chat_id, allow_non_member=allow_non_member)
        message = chat.messages.get(message_id)
        if message is not None and not message.deleted:
            message_json = message.to_telegram()
        else:  # Telegram sends an InaccessibleMessage for messages the bot can't see
            message_json = {"chat": chat.to_telegram(), "message_id": message_id, "date": 0}
        query_id = f"{self.bot_id % 100_000}{self.next_serial():013d}"
        self.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user_id, chat.id, message_id, callback_data, time.time()
        )
        event = self.emit(
            "callback_query",
            chat.id,
            data={
                "query_id": query_id,
                "user_id": user_id,
                "message_id": message_id,
                "data": callback_data,
            },
        )
        update = None
        if chat.is_private or (chat.bot_present and chat.migrated_to is None):
            update = self.enqueue(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": user.to_telegram(),
                        "message": message_json,
                        "chat_instance": chat_instance(chat.id, self.bot_id),
                        "data": callback_data,
                    }
                }
            )
        return Injected(update, event.seq, None, query_id)

    def inline_query(self: BotWorld, user_id: int, query: str, offset: str = "") -> Injected:
        user = self.user(user_id)
        query_id = f"{self.bot_id % 100_000}{self.next_serial():013d}"
        self.inline_queries[query_id] = InlineQueryRecord(query_id, user_id, query, time.time())
        event = self.emit(
            "inline_query", None, data={"query_id": query_id, "user_id": user_id, "query": query}
        )
        update = self.enqueue(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user.to_telegram(),
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                }
            }
        )
        return Injected(update, event.seq, None, query_id)

    def inject_update(self: BotWorld, payload: dict[str, Any]) -> Injected:
        """Queue any update verbatim (hostile/malformed tests). A given update_id is kept,
        duplicates included, so replays can be tested."""
        if not isinstance(payload, dict):
            raise ControlError("an update must be a JSON object")
        update = self.enqueue(dict(payload), force=True)
        event = self.emit("raw_update", None, data={"update_id": update and update["update_id"]})
        return Injected(update, event.seq)

    # -- internals --------------------------------------------------------------------------

    def _chat_of(
        self: BotWorld, user: UserRecord, chat_id: int | None, allow_non_member: bool = False
    ) -> ChatRecord:
        if chat_id is None or chat_id == user.id:
            return self.chats[user.id]
        chat = self.chats.get(chat_id)
        if chat is None or chat.is_private:
            raise ControlError(f"unknown group {chat_id}", status=404)
        if user.id not in chat.members and not allow_non_member:
            raise ControlError(f"user {user.id} is not a member of chat {chat_id}")
        if chat.migrated_to is not None:
            raise ControlError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        return chat

    def _user_message(
        self: BotWorld,
        user_id: int,
        chat_id: int | None,
        *,
        kind: str,
        fields: dict[str, Any],
        reply_to_message_id: int | None = None,
        thread_id: int | None = None,
    ) -> Injected:
        user = self.user(user_id)
        chat = self._chat_of(user, chat_id)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.messages.get(reply_to_message_id)
            if reply_to is None or reply_to.deleted:
                raise ControlError(f"no message {reply_to_message_id} in chat {chat.id}")
            if thread_id is None and chat.is_forum:
                thread_id = reply_to.message_thread_id
        if chat.is_forum:
            thread_id = self._writable_topic(chat, user, thread_id)
        if chat.is_private:
            user.started = True
            if user.blocked:  # writing to a blocked bot unblocks it first
                self.block_bot(user.id, blocked=False)
        message = self.post_message(
            chat,
            sender=user.to_telegram(),
            from_bot=False,
            kind=kind,
            reply_to=reply_to,
            message_thread_id=thread_id,
            is_topic_message=chat.is_forum and thread_id is not None,
            **fields,
        )
        seq = self.last_seq
        update = None
        if self._delivers(chat, message):
            update = self.enqueue({"message": message.to_telegram()})
        return Injected(update, seq, message)

    def _writable_topic(
        self: BotWorld, chat: ChatRecord, user: UserRecord, thread_id: int | None
    ) -> int | None:
        """The topic a person writes in (None: General); people who are no administrators
        cannot write in a closed topic, nobody in a deleted one."""
        if thread_id is None or thread_id == GENERAL_TOPIC_ID:
            return None
        topic = chat.topic(thread_id)
        if topic is None:
            raise ControlError(f"chat {chat.id} has no topic {thread_id}", status=404)
        if topic.closed and user.id not in chat.admins and user.id != chat.creator:
            raise ControlError(f"topic {thread_id} is closed; only administrators write there")
        return thread_id

    def _delivers(self: BotWorld, chat: ChatRecord, message: StoredMessage) -> bool:
        """Would Telegram deliver this user message to the bot?"""
        if chat.is_private:
            return True
        if not chat.bot_present or chat.migrated_to is not None:
            return False
        if not self.privacy_mode or chat.bot_admin:
            return True
        replied = message.replied
        if replied is not None and replied.from_bot and not replied.deleted:
            return True
        text = message.text or message.caption or ""
        command = leading_command(text)
        if command is not None and command[1] in (None, self.username):
            return True
        return f"@{self.username}".lower() in text.lower()
