"""What a relayed message is, and the one rule for what reaches an owner. Pure: no I/O.

The rule: in a lead's thread, a message reaches the owner only when a consultant starts it
with the /send command (the rest of its text or caption is what the owner reads), or sends
/send alone as a reply to a message of their own there (that message is sent: a voice
message, a video note, a sticker, a photo …). Everything else written in the thread is a
note for the team. A command is typed on purpose; forgetting it leaves a note, never a
leak. Telegram makes every message of a topic a reply to the topic's first message, so
"a reply goes to the owner" could not tell an answer from talk; a command can.

Kinds: a text is sent with the signature on top; a photo, video, document, audio, voice
message or animation is copied with the signature above its caption; anything that cannot
carry a caption (sticker, video note, contact, location, poll, dice …) is copied under a
separate signature message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from aiogram.types import Message

SEND_COMMAND = "send"
CAPTION_LIMIT = 1024

Kind = Literal["text", "caption", "fixed"]
CAPTIONED = ("photo", "video", "animation", "audio", "document", "voice")


@dataclass(frozen=True, slots=True)
class Content:
    """What a message carries, as the relay sees it."""

    kind: Kind
    text: str  # the text, or the caption ("" when none)


def content_of(message: Message) -> Content | None:
    """The message as something to relay (None: nothing a person wrote — a service
    message such as a member joining, or a topic being closed)."""
    if message.text is not None:
        return Content("text", message.text)
    if any(getattr(message, kind, None) for kind in CAPTIONED):
        return Content("caption", message.caption or "")
    if message.content_type in SERVICE_TYPES:
        return None
    return Content("fixed", "")


SERVICE_TYPES = frozenset({
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
    "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
    "channel_chat_created", "migrate_to_chat_id", "migrate_from_chat_id", "pinned_message",
    "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
    "general_forum_topic_hidden", "general_forum_topic_unhidden", "message_auto_delete_timer_changed",
    "video_chat_scheduled", "video_chat_started", "video_chat_ended",
    "video_chat_participants_invited", "write_access_allowed", "users_shared", "chat_shared",
    "boost_added", "chat_background_set", "proximity_alert_triggered",
})


_SEND = re.compile(rf"^\s*/{SEND_COMMAND}(?:@\w+)?(?:\s+|$)(.*)$", re.DOTALL | re.IGNORECASE)


def starts_with_send(text: str | None) -> bool:
    """Whether a text or caption begins with the /send command (the rule)."""
    return bool(text) and _SEND.match(text or "") is not None


def after_command(text: str) -> str:
    """What follows a leading /send (or /send@bot): the words the owner reads."""
    found = _SEND.match(text)
    return (found.group(1) if found else text).strip()
