"""Shared steps of every method that posts a bot message: reply target, forum topic,
keyboard, the request's text or caption, and the request options Telegram echoes back
(protect_content → has_protected_content, message_effect_id → effect_id)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.emulator.errors import bad_request, forbidden
from bot.emulator.markup import validate_reply_markup
from bot.emulator.models import GENERAL_TOPIC_ID
from bot.emulator.params import opt_bool, opt_int, opt_str
from bot.emulator.text import FormattedText, format_text

if TYPE_CHECKING:
    from bot.emulator.models import ChatRecord, StoredMessage
    from bot.emulator.world import BotWorld


def reply_target(world: BotWorld, chat: ChatRecord, params: dict[str, Any]) -> StoredMessage | None:
    """The message a send replies to (reply_parameters or legacy reply_to_message_id)."""
    reply = params.get("reply_parameters")
    if reply is not None:
        if not isinstance(reply, dict):
            raise bad_request("can't parse reply parameters JSON object")
        message_id = opt_int(reply, "message_id")
        allow_missing = opt_bool(reply, "allow_sending_without_reply")
        source = chat
        if reply.get("chat_id") is not None:
            source = world.resolve_chat(reply["chat_id"])
    else:
        message_id = opt_int(params, "reply_to_message_id")
        allow_missing = opt_bool(params, "allow_sending_without_reply")
        source = chat
    if message_id is None:
        return None
    message = source.messages.get(message_id)
    if message is None or message.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return message


def text_param(world: BotWorld, params: dict[str, Any]) -> FormattedText:
    """The request's `text` (with its parse_mode or entities) as Telegram stores it."""
    text = format_text(
        params.get("text"),
        params.get("parse_mode"),
        params.get("entities"),
        resolve_user=world.user_json,
    )
    assert text is not None  # an empty text is refused
    return text


def caption_param(world: BotWorld, params: dict[str, Any]) -> FormattedText | None:
    """The request's `caption` as Telegram stores it (None: absent or blank)."""
    return format_text(
        params.get("caption"),
        params.get("parse_mode"),
        params.get("caption_entities"),
        caption=True,
        resolve_user=world.user_json,
    )


def caption_fields(caption: FormattedText | None) -> dict[str, Any]:
    """A message's caption fields (without a caption: none, and no entities)."""
    return {
        "caption": caption.text if caption else None,
        "caption_entities": caption.entities if caption else [],
        "caption_html": caption.html if caption else None,
    }


def post_bot_message(
    world: BotWorld,
    chat: ChatRecord,
    params: dict[str, Any],
    *,
    kind: str,
    reply_markup: dict[str, Any] | None,
    **fields: Any,
) -> StoredMessage:
    reply_to = reply_target(world, chat, params)
    thread_id = message_thread(chat, params, reply_to)
    message = world.post_message(
        chat,
        sender=world.bot_user,
        from_bot=True,
        kind=kind,
        reply_markup=reply_markup,
        reply_to=reply_to,
        message_thread_id=thread_id,
        is_topic_message=thread_id is not None,
        has_protected_content=opt_bool(params, "protect_content"),
        effect_id=opt_str(params, "message_effect_id") or None,
        **fields,
    )
    if reply_markup is not None:
        if "keyboard" in reply_markup:
            chat.reply_keyboard = reply_markup
        elif "remove_keyboard" in reply_markup:
            chat.reply_keyboard = None
    return message


def post_requested(
    world: BotWorld, chat: ChatRecord, params: dict[str, Any], *, kind: str, **fields: Any
) -> StoredMessage:
    """The new message a send method (sendMessage, sendPhoto, …) asks for, with the request's
    keyboard: checked after the message's own content, before the reply target and topic."""
    markup = validate_reply_markup(params.get("reply_markup"))
    return post_bot_message(world, chat, params, kind=kind, reply_markup=markup, **fields)


def message_thread(
    chat: ChatRecord, params: dict[str, Any], reply_to: StoredMessage | None
) -> int | None:
    """The forum topic a bot message goes to (None: the General topic, or no forum).

    Outside forums Telegram ignores message_thread_id. In a forum a reply goes to the topic
    of the message it replies to; the General topic is addressed by leaving the id out (its
    own id is "not found"); a deleted or unknown topic is not found; a closed one takes
    messages only from administrators who can manage topics."""
    if not chat.is_forum:
        return None
    thread_id = opt_int(params, "message_thread_id") or None
    if thread_id is None:
        thread_id = reply_to.message_thread_id if reply_to is not None else None
        if thread_id is None:
            return None
    elif thread_id == GENERAL_TOPIC_ID:
        raise bad_request("message thread not found")
    topic = chat.topic(thread_id)
    if topic is None:
        raise bad_request("message thread not found")
    if topic.closed and not chat.bot_has_right("can_manage_topics"):
        raise bad_request("TOPIC_CLOSED")
    return thread_id


def target_message(world: BotWorld, params: dict[str, Any], action: str) -> StoredMessage:
    """The chat message an edit/delete addresses; Telegram's "message to <action> not found"."""
    if params.get("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = world.resolve_chat(params.get("chat_id"))
    world.check_readable(chat)
    if chat.is_private and world.users[chat.id].blocked:
        raise forbidden("bot was blocked by the user")
    message_id = opt_int(params, "message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(f"message to {action} not found")
    return message
