"""Text messages: sendMessage, edits, deletions, forwarding/copying and pins.

What Telegram echoes comes back here too: link_preview_options of text messages (on sends and
edits), show_caption_above_media of captions; the result of an edit carries no
reply_to_message (the Bot API server writes edited messages without it)."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import NOT_MODIFIED, bad_request
from bot.emulator.markup import validate_reply_markup
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.methods.sending import (
    caption_fields,
    caption_param,
    post_bot_message,
    post_requested,
    target_message,
    text_param,
)
from bot.emulator.models import StoredMessage
from bot.emulator.params import opt_bool, opt_int
from bot.emulator.payloads import UNCAPTIONED
from bot.emulator.text import link_preview_options


@api_method("sendMessage")
def send_message(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    chat = world.chat_for_send(params.get("chat_id"))
    text = text_param(world, params)
    message = post_requested(
        world,
        chat,
        params,
        kind="text",
        text=text.text,
        entities=text.entities,
        html=text.html,
        link_preview_options=link_preview_options(params),
    )
    return message.to_telegram()


@api_method("editMessageText")
def edit_message_text(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    message = _own_message(call, "edit")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text = text_param(world, params)
    markup = validate_reply_markup(params.get("reply_markup"), inline_only=True)
    current = (message.text, message.entities, message.inline_markup)
    if (text.text, text.entities, markup) == current:
        raise bad_request(NOT_MODIFIED)
    message.push_history()
    message.text, message.entities, message.html = text.text, text.entities, text.html
    message.link_preview_options = link_preview_options(params)
    _replace_markup(message, markup)
    world.emit("edit", message.chat_id, message)
    return message.to_telegram(with_reply=False)


@api_method("editMessageCaption")
def edit_message_caption(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    message = _own_message(call, "edit")
    if message.text is not None or message.kind in ("sticker", "video_note"):
        raise bad_request("there is no caption in the message to edit")
    caption = caption_param(world, params)
    new_caption = caption.text if caption else None
    new_entities = caption.entities if caption else []
    markup = validate_reply_markup(params.get("reply_markup"), inline_only=True)
    current = (message.caption, message.caption_entities, message.inline_markup)
    if (new_caption, new_entities, markup) == current:
        raise bad_request(NOT_MODIFIED)
    message.push_history()
    message.caption, message.caption_entities = new_caption, new_entities
    message.caption_html = caption.html if caption else None
    message.show_caption_above_media = opt_bool(params, "show_caption_above_media")
    _replace_markup(message, markup)
    call.world.emit("edit", message.chat_id, message)
    return message.to_telegram(with_reply=False)


@api_method("editMessageReplyMarkup")
def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    message = _own_message(call, "edit")
    markup = validate_reply_markup(call.params.get("reply_markup"), inline_only=True)
    if markup == message.inline_markup:
        raise bad_request(NOT_MODIFIED)
    message.push_history()
    _replace_markup(message, markup)
    call.world.emit("edit", message.chat_id, message)
    return message.to_telegram(with_reply=False)


@api_method("deleteMessage")
def delete_message(call: Call) -> bool:
    message = target_message(call.world, call.params, "delete")
    _delete(call, message)
    return True


@api_method("deleteMessages")
def delete_messages(call: Call) -> bool:
    world, params = call.world, call.params
    ids = params.get("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
    chat = world.chat_for_read(params.get("chat_id"))
    for message_id in ids:
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is not None and not message.deleted:
            _delete(call, message)
    return True


@api_method("forwardMessage")
def forward_message(call: Call) -> dict[str, Any]:
    return _forward_or_copy(call, copying=False)


@api_method("copyMessage")
def copy_message(call: Call) -> dict[str, Any]:
    return _forward_or_copy(call, copying=True)


def _forward_or_copy(call: Call, *, copying: bool) -> dict[str, Any]:
    """forwardMessage returns the new Message (with forward_origin); copyMessage only its
    MessageId. A copy keeps the content and the file ids, not the keyboard (reply_markup
    comes from the request); its caption is replaced when `caption` is given (an empty one
    removes it), except for kinds that have no caption (stickers, video notes, contacts, …)."""
    world, params = call.world, call.params
    source_chat = world.chat_for_read(params.get("from_chat_id"))
    message_id = opt_int(params, "message_id")
    source = source_chat.messages.get(message_id) if message_id is not None else None
    action = "copy" if copying else "forward"
    if source is None or source.deleted:
        raise bad_request(f"message to {action} not found")
    if source.kind == "service" or source.has_protected_content:
        raise bad_request(f"message can't be {'copied' if copying else 'forwarded'}")
    chat = world.chat_for_send(params.get("chat_id"))
    fields: dict[str, Any] = {
        "text": source.text,
        "entities": source.entities,
        "html": source.html,
        "link_preview_options": source.link_preview_options,
        "caption": source.caption,
        "caption_entities": source.caption_entities,
        "caption_html": source.caption_html,
        "show_caption_above_media": source.show_caption_above_media,
        "media": dict(source.media),
        "file": source.file,
    }
    markup = None
    if copying:
        markup = validate_reply_markup(params.get("reply_markup"))
        if source.kind not in UNCAPTIONED:
            if "caption" in params:
                fields.update(caption_fields(caption_param(world, params)))
            if "show_caption_above_media" in params:
                fields["show_caption_above_media"] = opt_bool(params, "show_caption_above_media")
    message = post_bot_message(world, chat, params, kind=source.kind, reply_markup=markup, **fields)
    if copying:
        return {"message_id": message.message_id}
    origin_user = source.sender
    message.extra.update(
        forward_origin={"type": "user", "sender_user": origin_user, "date": source.date},
        forward_from=origin_user,
        forward_date=source.date,
    )
    return message.to_telegram()


@api_method("pinChatMessage", "unpinChatMessage")
def pin_message(call: Call) -> bool:
    world, params = call.world, call.params
    chat = world.chat_for_send(params.get("chat_id"))
    if not chat.is_private and not chat.bot_admin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    message_id = opt_int(params, "message_id")
    if message_id is not None:
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to pin not found")
    return True


@api_method("unpinAllChatMessages")
def unpin_all(call: Call) -> bool:
    call.world.chat_for_send(call.params.get("chat_id"))
    return True


def _own_message(call: Call, action: str) -> StoredMessage:
    message = target_message(call.world, call.params, action)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _replace_markup(message: StoredMessage, markup: dict[str, Any] | None) -> None:
    """Edits replace the inline keyboard (omitting reply_markup removes it)."""
    if markup is None and message.reply_markup is not None and message.inline_markup is None:
        return  # a reply keyboard sent with the message is not part of the message
    message.reply_markup = markup


def _delete(call: Call, message: StoredMessage) -> None:
    chat = message.chat
    if not message.from_bot and not chat.is_private and not chat.bot_admin:
        raise bad_request("message can't be deleted")
    message.deleted = True
    call.world.emit("delete", chat.id, message)
