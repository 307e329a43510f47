"""copyMessage and forwardMessage for every kind of media a person can send the bot, and the
bot's reactions (setMessageReaction), as Telegram answers them.

copyMessage returns only a MessageId; the copy keeps the content and the file ids, takes a
new caption when `caption` is given (an empty one removes it), except for kinds without a
caption, where it is ignored; protected and service messages cannot be copied.
"""

from __future__ import annotations

import pytest
from aiogram import Bot

from bot.emulator import BotWorld, Emulator
from bot.emulator.models import ChatRecord
from tests.emulator.calls import call, refusal
from tests.kit import EmulatorSession

OWNER = 21
TOKEN = "123456:TEST-token_for-the-emulator"
CAPTIONED = ("photo", "document", "voice", "video", "audio", "animation")
UNCAPTIONED = ("video_note", "sticker", "contact", "location")
MEDIA_FIELDS = {
    "photo": "photo", "document": "document", "voice": "voice", "video": "video",
    "audio": "audio", "animation": "animation", "video_note": "video_note",
    "sticker": "sticker", "contact": "contact", "location": "location",
}


@pytest.fixture
def group(world: BotWorld) -> ChatRecord:
    world.add_user(OWNER, "Ольга", started=True)
    return world.add_group(title="Консультанты", type="supergroup", bot_admin=True)


@pytest.mark.parametrize("kind", [*CAPTIONED, *UNCAPTIONED])
async def test_a_person_sends_each_kind_and_the_bot_copies_it_as_it_is(
    world: BotWorld, group: ChatRecord, kind: str
) -> None:
    sent = world.send_media(OWNER, kind, caption="от владельца" if kind in CAPTIONED else None)
    assert sent.update is not None and MEDIA_FIELDS[kind] in sent.update["message"]

    copied = await call(
        world, "copyMessage", chat_id=group.id, from_chat_id=OWNER, message_id=sent.message_id,
        caption="<b>Ольга</b>, №12", parse_mode="HTML",
    )

    assert set(copied) == {"message_id"}
    copy = world.message(group.id, copied["message_id"])
    assert copy is not None and copy.from_bot and copy.kind == sent.message.kind  # type: ignore[union-attr]
    original = sent.update["message"]
    echoed = copy.to_telegram()
    assert echoed[MEDIA_FIELDS[kind]] == original[MEDIA_FIELDS[kind]]  # same file ids
    assert "forward_origin" not in echoed
    if kind in CAPTIONED:
        assert echoed["caption"] == "Ольга, №12"
        assert echoed["caption_entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    else:
        assert "caption" not in echoed


async def test_an_empty_caption_removes_it_and_no_caption_keeps_it(
    world: BotWorld, group: ChatRecord
) -> None:
    sent = world.send_media(OWNER, "photo", caption="подпись")
    kept = await call(world, "copyMessage", chat_id=group.id, from_chat_id=OWNER,
                      message_id=sent.message_id)
    removed = await call(world, "copyMessage", chat_id=group.id, from_chat_id=OWNER,
                         message_id=sent.message_id, caption="")
    assert world.message(group.id, kept["message_id"]).caption == "подпись"  # type: ignore[union-attr]
    assert world.message(group.id, removed["message_id"]).caption is None  # type: ignore[union-attr]


async def test_a_copy_carries_the_options_of_its_own_request(
    world: BotWorld, group: ChatRecord
) -> None:
    forum = world.add_group(title="Форум", type="supergroup", is_forum=True, bot_admin=True)
    thread_id = world.create_topic(forum.id, "№12").thread_id
    sent = world.send_media(OWNER, "photo", caption="фото")
    keyboard = {"inline_keyboard": [[{"text": "Ответить", "callback_data": "r:12"}]]}
    copied = await call(
        world, "copyMessage", chat_id=forum.id, from_chat_id=OWNER, message_id=sent.message_id,
        message_thread_id=thread_id, protect_content=True, show_caption_above_media=True,
        reply_markup=keyboard,
    )
    echoed = world.message(forum.id, copied["message_id"]).to_telegram()  # type: ignore[union-attr]
    assert echoed["message_thread_id"] == thread_id and echoed["is_topic_message"] is True
    assert echoed["has_protected_content"] is True and echoed["show_caption_above_media"] is True
    assert echoed["reply_markup"] == keyboard


async def test_protected_missing_and_service_messages_cannot_be_copied(
    world: BotWorld, group: ChatRecord
) -> None:
    protected = await call(world, "sendMessage", chat_id=OWNER, text="секрет", protect_content=True)
    assert await refusal(
        world, "copyMessage", chat_id=group.id, from_chat_id=OWNER,
        message_id=protected["message_id"],
    ) == "Bad Request: message can't be copied"
    assert await refusal(
        world, "forwardMessage", chat_id=group.id, from_chat_id=OWNER,
        message_id=protected["message_id"],
    ) == "Bad Request: message can't be forwarded"
    assert await refusal(
        world, "copyMessage", chat_id=group.id, from_chat_id=OWNER, message_id=999
    ) == "Bad Request: message to copy not found"
    forum = world.add_group(title="Форум", type="supergroup", is_forum=True, bot_admin=True)
    topic = world.create_topic(forum.id, "Тема")
    assert await refusal(
        world, "copyMessage", chat_id=group.id, from_chat_id=forum.id, message_id=topic.thread_id
    ) == "Bad Request: message can't be copied"


async def test_a_forward_names_its_origin(world: BotWorld, group: ChatRecord) -> None:
    sent = world.send_media(OWNER, "voice")
    forwarded = await call(
        world, "forwardMessage", chat_id=group.id, from_chat_id=OWNER, message_id=sent.message_id
    )
    owner = world.user(OWNER).to_telegram()
    assert forwarded["forward_origin"] == {
        "type": "user", "sender_user": owner, "date": sent.message.date,  # type: ignore[union-attr]
    }
    assert forwarded["forward_from"] == owner and forwarded["voice"] == sent.update["message"]["voice"]  # type: ignore[index]


async def test_copies_through_aiogram_come_back_as_message_ids(emulator: Emulator) -> None:
    world = emulator.world(TOKEN)
    world.add_user(OWNER, "Ольга", started=True)
    group = world.add_group(title="Консультанты", type="supergroup")
    bot = Bot(TOKEN, session=EmulatorSession(emulator))
    for kind in (*CAPTIONED, *UNCAPTIONED):
        sent = world.send_media(OWNER, kind)
        copied = await bot.copy_message(group.id, OWNER, sent.message_id, caption="№12")
        assert world.message(group.id, copied.message_id) is not None
    await bot.session.close()


# -- reactions ------------------------------------------------------------------------------


async def test_the_bot_reacts_with_one_emoji_and_can_take_it_back(
    world: BotWorld, group: ChatRecord
) -> None:
    world.add_member(group.id, OWNER)
    note = world.send_text(OWNER, "ответ владельцу", chat_id=group.id)
    params = {"chat_id": group.id, "message_id": note.message_id}

    assert await call(world, "setMessageReaction", **params, reaction=[{"type": "emoji", "emoji": "👍"}])
    assert note.message.reactions == [{"type": "emoji", "emoji": "👍"}]  # type: ignore[union-attr]
    reacted = [e for e in world.events() if e.kind == "reaction"]
    assert reacted[-1].data == {"message_id": note.message_id, "reaction": [{"type": "emoji", "emoji": "👍"}]}

    assert await call(world, "setMessageReaction", **params)  # no reaction: taken back
    assert note.message.reactions == []  # type: ignore[union-attr]


async def test_reactions_telegram_refuses(world: BotWorld, group: ChatRecord) -> None:
    note = world.send_text(OWNER, "x")
    params = {"chat_id": OWNER, "message_id": note.message_id}
    assert await refusal(
        world, "setMessageReaction", **params, reaction=[{"type": "emoji", "emoji": "🦖"}]
    ) == "Bad Request: REACTION_INVALID"
    assert await refusal(
        world, "setMessageReaction", **params,
        reaction=[{"type": "emoji", "emoji": "👍"}, {"type": "emoji", "emoji": "🔥"}],
    ) == "Bad Request: REACTIONS_TOO_MANY"
    assert await refusal(world, "setMessageReaction", **params, reaction=[{"type": "paid"}]) == (
        "Bad Request: REACTION_INVALID"
    )
    assert await refusal(
        world, "setMessageReaction", chat_id=OWNER, message_id=999,
        reaction=[{"type": "emoji", "emoji": "👍"}],
    ) == "Bad Request: message to react not found"


async def test_aiogram_sets_a_reaction(emulator: Emulator) -> None:
    from aiogram.types import ReactionTypeEmoji

    world = emulator.world(TOKEN)
    world.add_user(OWNER, "Ольга", started=True)
    note = world.send_text(OWNER, "спасибо")
    bot = Bot(TOKEN, session=EmulatorSession(emulator))
    assert await bot.set_message_reaction(OWNER, note.message_id, [ReactionTypeEmoji(emoji="❤")])
    assert note.message.reactions == [{"type": "emoji", "emoji": "❤"}]  # type: ignore[union-attr]
    await bot.session.close()
