"""Chat information and chat-level actions: getChat, members, admins, actions, leaving."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.models import GIFT_TYPES, ChatRecord
from bot.emulator.params import opt_bool, opt_int, opt_str

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})


# What members of a new group may do (Telegram's defaults).
DEFAULT_PERMISSIONS = {
    "can_send_messages": True,
    "can_send_media_messages": True,
    "can_send_audios": True,
    "can_send_documents": True,
    "can_send_photos": True,
    "can_send_videos": True,
    "can_send_video_notes": True,
    "can_send_voice_notes": True,
    "can_send_polls": True,
    "can_send_other_messages": True,
    "can_add_web_page_previews": True,
    "can_react_to_messages": True,
    "can_edit_tag": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_pin_messages": False,
    "can_manage_topics": False,
}


@api_method("getChat")
def get_chat(call: Call) -> dict[str, Any]:
    """ChatFullInfo as the Bot API server writes it for each chat type: a user's chat says
    which gifts they accept and that one can send them gifts; groups carry the members'
    permissions; every chat its reaction limit and accent colour."""
    world = call.world
    chat = world.chat_for_read(call.params.get("chat_id"))
    info = chat.to_telegram()
    if chat.is_private:
        user = world.users.get(chat.id)
        if user is not None and not user.is_bot:
            info["can_send_gift"] = True
        if chat.username:
            info["active_usernames"] = [chat.username]
        info["accepted_gift_types"] = dict.fromkeys(GIFT_TYPES, True)
    else:
        if chat.type == "supergroup" and chat.username:
            info["active_usernames"] = [chat.username]
        info["permissions"] = dict(DEFAULT_PERMISSIONS)
        info["accepted_gift_types"] = dict.fromkeys(GIFT_TYPES, False)
    info["max_reaction_count"] = 11
    info["accent_color_id"] = chat.id % 7
    if chat.type == "supergroup" and chat.migrated_from is not None:
        info["migrated_from_chat_id"] = chat.migrated_from
    return info


@api_method("getChatMember")
def get_chat_member(call: Call) -> dict[str, Any]:
    chat = call.world.chat_for_read(call.params.get("chat_id"))
    user_id = opt_int(call.params, "user_id")
    if user_id is None:
        raise bad_request("user not found")
    return call.world.member_status(chat, user_id)


@api_method("getChatAdministrators")
def get_chat_administrators(call: Call) -> list[dict[str, Any]]:
    chat = call.world.chat_for_read(call.params.get("chat_id"))
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    return call.world.administrators(chat)


@api_method("getChatMemberCount")
def get_chat_member_count(call: Call) -> int:
    chat = call.world.chat_for_read(call.params.get("chat_id"))
    if chat.is_private:
        return 2
    return len(chat.members) + (1 if chat.bot_present else 0)


@api_method("sendChatAction")
def send_chat_action(call: Call) -> bool:
    world = call.world
    chat = world.chat_for_send(call.params.get("chat_id"))
    action = opt_str(call.params, "action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    world.emit("chat_action", chat.id, data={"action": action})
    return True


@api_method("leaveChat")
def leave_chat(call: Call) -> bool:
    world = call.world
    chat = world.chat_for_read(call.params.get("chat_id"))
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    was = "administrator" if chat.bot_admin else "member"
    chat.bot_present, chat.bot_admin, chat.absent_reason = False, False, "left"
    world.announce_bot_status(chat, world.bot_user, was, "left")
    return True


@api_method("banChatMember")
def ban_chat_member(call: Call) -> bool:
    chat, user_id = _restrictable(call)
    call.world.remove_member(chat.id, user_id, banned=True)
    return True


@api_method("unbanChatMember")
def unban_chat_member(call: Call) -> bool:
    """Telegram: afterwards the user is not a member (unless only_if_banned) but may join."""
    chat, user_id = _restrictable(call)
    if user_id in chat.banned:
        chat.banned.discard(user_id)
    elif not opt_bool(call.params, "only_if_banned") and user_id in chat.members:
        call.world.remove_member(chat.id, user_id)
    return True


def _restrictable(call: Call) -> tuple[ChatRecord, int]:
    world = call.world
    chat = world.chat_for_read(call.params.get("chat_id"))
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    if not chat.bot_admin:
        raise bad_request("not enough rights to restrict/ban chat member")
    user_id = opt_int(call.params, "user_id")
    if user_id is None or user_id not in world.users:
        raise bad_request("user not found")
    return chat, user_id


@api_method("setChatMenuButton")
def set_chat_menu_button(call: Call) -> bool:
    world, params = call.world, call.params
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in MENU_BUTTON_TYPES:
        raise bad_request("can't parse menu button JSON object")
    if params.get("chat_id") is None:
        world.profile.default_menu_button = (
            {"type": "commands"} if button["type"] == "default" else button
        )
        return True
    chat = world.chat_for_read(params["chat_id"])
    if not chat.is_private:
        raise bad_request("menu button can be set only in private chats")
    chat.menu_button = None if button["type"] == "default" else button
    return True


@api_method("getChatMenuButton")
def get_chat_menu_button(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    if params.get("chat_id") is not None:
        chat = world.chat_for_read(params["chat_id"])
        if chat.menu_button is not None:
            return chat.menu_button
    return world.profile.default_menu_button
