"""Forum topics the bot manages: createForumTopic, editForumTopic, closeForumTopic,
reopenForumTopic, deleteForumTopic.

Rights as TDLib checks them: creating needs the can_manage_topics administrator right;
editing, closing and reopening need it too unless the bot created the topic; deleting needs
can_delete_messages unless the bot created it. Descriptions are Telegram's.
"""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.models import ChatRecord, ForumTopicRecord
from bot.emulator.params import opt_int, opt_str

TOPIC_NOT_MODIFIED = "TOPIC_NOT_MODIFIED"


@api_method("createForumTopic")
def create_forum_topic(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    chat = _forum(call)
    if not chat.bot_has_right("can_manage_topics"):
        raise bad_request("not enough rights to create a topic")
    name = (opt_str(params, "name") or "").strip()
    if not name:
        raise bad_request("title must be non-empty")
    topic = world.open_topic(
        chat,
        name,
        world.bot_user,
        opt_int(params, "icon_color"),
        opt_str(params, "icon_custom_emoji_id"),
    )
    return topic.to_telegram()


@api_method("editForumTopic")
def edit_forum_topic(call: Call) -> bool:
    chat, topic = _topic(call)
    _require(call, chat, topic, "can_manage_topics", "not enough rights to edit the topic")
    name = opt_str(call.params, "name")
    if name is not None and name and not name.strip():
        raise bad_request("title must be non-empty")
    emoji = opt_str(call.params, "icon_custom_emoji_id")
    if not name and emoji is None:
        return True  # nothing to change: Telegram is not even asked
    if (not name or name.strip() == topic.name) and (
        emoji is None or (emoji or None) == topic.icon_custom_emoji_id
    ):
        raise bad_request(TOPIC_NOT_MODIFIED)
    call.world.change_topic(chat, topic, call.world.bot_user, name, emoji)
    return True


@api_method("closeForumTopic")
def close_forum_topic(call: Call) -> bool:
    return _toggle(call, closed=True)


@api_method("reopenForumTopic")
def reopen_forum_topic(call: Call) -> bool:
    return _toggle(call, closed=False)


@api_method("deleteForumTopic")
def delete_forum_topic(call: Call) -> bool:
    chat, topic = _topic(call)
    _require(call, chat, topic, "can_delete_messages", "not enough rights to delete the topic")
    call.world.remove_topic(chat, topic)
    return True


def _toggle(call: Call, *, closed: bool) -> bool:
    chat, topic = _topic(call)
    _require(call, chat, topic, "can_manage_topics", "not enough rights to close or open the topic")
    if topic.closed == closed:
        raise bad_request(TOPIC_NOT_MODIFIED)
    call.world.toggle_topic(chat, topic, call.world.bot_user, closed=closed)
    return True


def _forum(call: Call) -> ChatRecord:
    chat = call.world.chat_for_send(call.params.get("chat_id"))
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


def _topic(call: Call) -> tuple[ChatRecord, ForumTopicRecord]:
    chat = _forum(call)
    thread_id = opt_int(call.params, "message_thread_id") or 0
    if thread_id <= 0:
        raise bad_request("invalid message thread identifier specified")
    topic = chat.topic(thread_id)
    if topic is None:
        raise bad_request("TOPIC_ID_INVALID")
    return chat, topic


def _require(
    call: Call, chat: ChatRecord, topic: ForumTopicRecord, right: str, refusal: str
) -> None:
    """The right is needed unless the bot created the topic itself."""
    if topic.creator_id != call.world.bot_id and not chat.bot_has_right(right):
        raise bad_request(refusal)
