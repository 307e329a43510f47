"""Shared steps of every method that posts a bot message: reply target, thread, keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.emulator.errors import bad_request, forbidden
from bot.emulator.params import opt_bool, opt_int

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
    thread_id = opt_int(params, "message_thread_id")
    if thread_id is None and reply_to is not None and chat.is_forum:
        thread_id = reply_to.message_thread_id
    message = world.post_message(
        chat,
        sender=world.bot_user,
        from_bot=True,
        kind=kind,
        reply_markup=reply_markup,
        reply_to=reply_to,
        message_thread_id=thread_id,
        is_topic_message=chat.is_forum and thread_id is not None,
        **fields,
    )
    if reply_markup is not None:
        if "keyboard" in reply_markup:
            chat.reply_keyboard = reply_markup
        elif "remove_keyboard" in reply_markup:
            chat.reply_keyboard = None
    return message


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
