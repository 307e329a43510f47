"""The bot's own settings: getMe, commands per scope and language, name, descriptions."""

from __future__ import annotations

import re
from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.membership import REQUIRED_ADMIN_RIGHTS
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.params import opt_bool, opt_str
from bot.emulator.world import BotWorld, scope_key

COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
ADMIN_RIGHT_FIELDS = ("is_anonymous", *REQUIRED_ADMIN_RIGHTS)


@api_method("getMe")
def get_me(call: Call) -> dict[str, Any]:
    """The bot's User with every bot-only flag the Bot API writes for getMe."""
    world = call.world
    return {
        **world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": True,
        "supports_guest_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
        "has_topics_enabled": False,
        "allows_users_to_create_topics": False,
        "can_manage_bots": False,
    }


@api_method("logOut", "close")
def log_out(call: Call) -> bool:
    return True


@api_method("setMyCommands")
def set_my_commands(call: Call) -> bool:
    params = call.params
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict) or not isinstance(command.get("command"), str):
            raise bad_request("BOT_COMMAND_INVALID")
        name = command["command"]
        if not COMMAND_RE.match(name.removeprefix("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name.removeprefix("/"), "description": description})
    key = _key(call)
    if cleaned:
        call.world.bot_commands[key] = cleaned
    else:
        call.world.bot_commands.pop(key, None)
    return True


@api_method("getMyCommands")
def get_my_commands(call: Call) -> list[dict[str, Any]]:
    return list(call.world.bot_commands.get(_key(call), []))


@api_method("deleteMyCommands")
def delete_my_commands(call: Call) -> bool:
    call.world.bot_commands.pop(_key(call), None)
    return True


def _register_profile_text(field: str, setter: str, getter: str, limit: int) -> None:
    def set_text(call: Call) -> bool:
        value = opt_str(call.params, field) or ""
        if len(value) > limit:
            raise bad_request(f"{field.upper()}_INVALID")
        store = _profile_store(call.world, field)
        if value:
            store[_language(call)] = value
        else:
            store.pop(_language(call), None)
        return True

    def get_text(call: Call) -> dict[str, str]:
        store = _profile_store(call.world, field)
        default = call.world.first_name if field == "name" else ""
        return {field: store.get(_language(call), store.get("", default))}

    api_method(setter)(set_text)
    api_method(getter)(get_text)


_register_profile_text("name", "setMyName", "getMyName", 64)
_register_profile_text("description", "setMyDescription", "getMyDescription", 512)
_register_profile_text("short_description", "setMyShortDescription", "getMyShortDescription", 120)


@api_method("setMyDefaultAdministratorRights")
def set_default_admin_rights(call: Call) -> bool:
    rights = call.params.get("rights") or {}
    if not isinstance(rights, dict):
        raise bad_request("can't parse rights JSON object")
    call.world.profile.admin_rights[opt_bool(call.params, "for_channels")] = rights
    return True


@api_method("getMyDefaultAdministratorRights")
def get_default_admin_rights(call: Call) -> dict[str, Any]:
    stored = call.world.profile.admin_rights.get(opt_bool(call.params, "for_channels"), {})
    return {field: bool(stored.get(field, False)) for field in ADMIN_RIGHT_FIELDS}


def _key(call: Call) -> tuple[str, str]:
    return scope_key(_scope(call.world, call.params.get("scope"))), _language(call)


def _language(call: Call) -> str:
    language = opt_str(call.params, "language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return language


def _scope(world: BotWorld, scope: Any) -> dict[str, Any]:
    if scope is None:
        return {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind not in ("chat", "chat_administrators", "chat_member"):
        return {"type": kind}
    chat = world.resolve_chat(scope.get("chat_id"))
    normalized: dict[str, Any] = {"type": kind, "chat_id": chat.id}
    if kind == "chat_administrators" and chat.is_private:
        raise bad_request("can't use chat_administrators scope in private chats")
    if kind == "chat_member":
        user_id = scope.get("user_id")
        if isinstance(user_id, str) and user_id.lstrip("-").isdigit():
            user_id = int(user_id)
        if not isinstance(user_id, int) or user_id not in world.users:
            raise bad_request("user not found")
        normalized["user_id"] = user_id
    return normalized


def _profile_store(world: BotWorld, field: str) -> dict[str, str]:
    profile = world.profile
    return {
        "name": profile.names,
        "description": profile.descriptions,
        "short_description": profile.short_descriptions,
    }[field]
