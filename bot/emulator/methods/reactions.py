"""The bot's reaction to a message: setMessageReaction.

A bot, like a user without Premium, sets at most one reaction per message; an empty list
removes it. Emoji reactions are limited to the set the Bot API lists for ReactionTypeEmoji;
paid reactions are not for bots. Each change is an event (kind "reaction") for tests.
"""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.params import opt_int

# ReactionTypeEmoji.emoji: "Currently, it can be one of" (Bot API).
REACTION_EMOJI = frozenset(
    "❤ 👍 👎 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 "
    "🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 "
    "😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡".split()
)
MAX_BOT_REACTIONS = 1


@api_method("setMessageReaction")
def set_message_reaction(call: Call) -> bool:
    world, params = call.world, call.params
    reactions = _reactions(params.get("reaction"))
    chat = world.chat_for_read(params.get("chat_id"))
    message_id = opt_int(params, "message_id")
    message = chat.messages.get(message_id) if message_id is not None else None
    if message is None or message.deleted:
        raise bad_request("message to react not found")
    if message.kind == "service":
        raise bad_request("MESSAGE_ID_INVALID")
    if len(reactions) > MAX_BOT_REACTIONS:
        raise bad_request("REACTIONS_TOO_MANY")
    message.reactions = reactions
    world.emit(
        "reaction",
        chat.id,
        message,
        data={"message_id": message.message_id, "reaction": reactions},
    )
    return True


def _reactions(raw: Any) -> list[dict[str, Any]]:
    if raw is None or raw == "":
        return []
    if not isinstance(raw, list):
        raise bad_request("expected an Array of ReactionType")
    found = []
    for reaction in raw:
        if not isinstance(reaction, dict) or not isinstance(reaction.get("type"), str):
            raise bad_request("can't parse ReactionType: expected an Object")
        kind = reaction["type"]
        if kind == "emoji":
            if reaction.get("emoji") not in REACTION_EMOJI:
                raise bad_request("REACTION_INVALID")
            found.append({"type": "emoji", "emoji": reaction["emoji"]})
        elif kind == "custom_emoji":
            if not str(reaction.get("custom_emoji_id") or "").isdigit():
                raise bad_request("REACTION_INVALID")
            found.append({"type": "custom_emoji", "custom_emoji_id": reaction["custom_emoji_id"]})
        elif kind == "paid":
            raise bad_request("REACTION_INVALID")
        else:
            raise bad_request("can't parse ReactionType: invalid reaction type specified")
    return found
