"""Forum topics as Telegram has them: who may create, edit, close, reopen and delete them, the
service messages each change posts, and where messages may go afterwards.

Descriptions are Telegram's: TDLib's ForumTopicManager ("Not enough rights to create a
topic", "The chat is not a forum", …) as the Bot API lowercases them, the Bot API server's
"message thread not found", and the server's own TOPIC_CLOSED / TOPIC_NOT_MODIFIED /
TOPIC_ID_INVALID.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from bot.emulator import BotWorld, ControlError, Emulator
from bot.emulator.models import ChatRecord
from bot.emulator.topics import TOPIC_COLORS
from tests.emulator.calls import call, refusal
from tests.kit import EmulatorSession, InProcessWorld
from tests.kit.client import RemoteBot

ADA, BORIS = 11, 12  # an administrator and a member
TOKEN = "123456:TEST-token_for-the-emulator"


@pytest.fixture
def forum(world: BotWorld) -> ChatRecord:
    world.add_user(ADA, "Ада")
    world.add_user(BORIS, "Борис")
    return world.add_group(
        title="Консультанты", type="supergroup", is_forum=True, admins=[ADA], members=[BORIS],
        bot_admin=True,
    )


def service(world: BotWorld, chat: ChatRecord) -> list[dict[str, Any]]:
    return [m.extra for m in world.messages(chat.id) if m.kind == "service"]


# -- the bot manages topics -----------------------------------------------------------------


async def test_the_bot_creates_a_topic_that_opens_with_its_service_message(
    world: BotWorld, forum: ChatRecord
) -> None:
    topic = await call(world, "createForumTopic", chat_id=forum.id, name="  №12 · Ромашка ")

    assert topic["name"] == "№12 · Ромашка" and topic["icon_color"] in TOPIC_COLORS
    thread_id = topic["message_thread_id"]
    opening = world.message(forum.id, thread_id)
    assert opening is not None and opening.from_bot and opening.kind == "service"
    assert opening.to_telegram()["forum_topic_created"] == {
        "name": "№12 · Ромашка", "icon_color": topic["icon_color"],
    }
    assert opening.to_telegram()["message_thread_id"] == thread_id
    assert opening.to_telegram()["is_topic_message"] is True
    assert world.pending_updates() == []  # bots get no updates about their own messages
    sent = await call(world, "sendMessage", chat_id=forum.id, text="x", message_thread_id=thread_id)
    assert (sent["message_thread_id"], sent["is_topic_message"]) == (thread_id, True)


async def test_a_chosen_colour_and_a_long_name_are_kept_as_telegram_keeps_them(
    world: BotWorld, forum: ChatRecord
) -> None:
    topic = await call(
        world, "createForumTopic", chat_id=forum.id, name="я" * 200, icon_color=16478047
    )
    assert topic["icon_color"] == 16478047 and topic["name"] == "я" * 128


async def test_only_an_administrator_who_manages_topics_creates_them_and_only_in_forums(
    world: BotWorld, forum: ChatRecord
) -> None:
    plain = world.add_group(title="Группа", type="supergroup", bot_admin=True)
    assert await refusal(world, "createForumTopic", chat_id=plain.id, name="x") == (
        "Bad Request: the chat is not a forum"
    )
    world.add_user(7, "Вера", started=True)
    assert await refusal(world, "createForumTopic", chat_id=7, name="x") == (
        "Bad Request: the chat is not a forum"
    )
    assert await refusal(world, "createForumTopic", chat_id=forum.id, name=" ") == (
        "Bad Request: title must be non-empty"
    )
    world.set_bot_in_chat(forum.id, True, admin=True, rights=["can_delete_messages"])
    assert await refusal(world, "createForumTopic", chat_id=forum.id, name="x") == (
        "Bad Request: not enough rights to create a topic"
    )
    world.set_bot_in_chat(forum.id, True, admin=False)
    assert await refusal(world, "createForumTopic", chat_id=forum.id, name="x") == (
        "Bad Request: not enough rights to create a topic"
    )


async def test_closing_and_reopening_post_service_messages_once(
    world: BotWorld, forum: ChatRecord
) -> None:
    thread_id = (await call(world, "createForumTopic", chat_id=forum.id, name="T"))[
        "message_thread_id"
    ]

    assert await call(world, "closeForumTopic", chat_id=forum.id, message_thread_id=thread_id)
    assert await refusal(
        world, "closeForumTopic", chat_id=forum.id, message_thread_id=thread_id
    ) == "Bad Request: TOPIC_NOT_MODIFIED"
    assert await call(world, "reopenForumTopic", chat_id=forum.id, message_thread_id=thread_id)
    assert await refusal(
        world, "reopenForumTopic", chat_id=forum.id, message_thread_id=thread_id
    ) == "Bad Request: TOPIC_NOT_MODIFIED"

    assert [list(fields) for fields in service(world, forum)] == [
        ["forum_topic_created"], ["forum_topic_closed"], ["forum_topic_reopened"],
    ]
    closed = next(m for m in world.messages(forum.id) if "forum_topic_closed" in m.extra)
    assert closed.to_telegram()["forum_topic_closed"] == {}
    assert closed.message_thread_id == thread_id


async def test_editing_renames_or_changes_nothing(world: BotWorld, forum: ChatRecord) -> None:
    thread_id = (await call(world, "createForumTopic", chat_id=forum.id, name="Старое"))[
        "message_thread_id"
    ]
    params = {"chat_id": forum.id, "message_thread_id": thread_id}
    assert await call(world, "editForumTopic", **params, name="Новое")
    assert await refusal(world, "editForumTopic", **params, name="Новое") == (
        "Bad Request: TOPIC_NOT_MODIFIED"
    )
    assert await call(world, "editForumTopic", **params)  # nothing asked: nothing done
    edits = [fields for fields in service(world, forum) if "forum_topic_edited" in fields]
    assert edits == [{"forum_topic_edited": {"name": "Новое"}}]
    assert forum.topics[thread_id].name == "Новое"


async def test_a_bot_without_rights_changes_only_the_topics_it_created(
    world: BotWorld, forum: ChatRecord
) -> None:
    own = (await call(world, "createForumTopic", chat_id=forum.id, name="Своя"))[
        "message_thread_id"
    ]
    theirs = world.create_topic(forum.id, "Чужая", by=ADA).thread_id
    world.set_bot_in_chat(forum.id, True, admin=True, rights=["can_pin_messages"])

    assert await call(world, "closeForumTopic", chat_id=forum.id, message_thread_id=own)
    assert await call(world, "deleteForumTopic", chat_id=forum.id, message_thread_id=own)
    refusals = [
        await refusal(world, method, chat_id=forum.id, message_thread_id=theirs, name="z")
        for method in ("editForumTopic", "closeForumTopic", "deleteForumTopic")
    ]
    assert refusals == [
        "Bad Request: not enough rights to edit the topic",
        "Bad Request: not enough rights to close or open the topic",
        "Bad Request: not enough rights to delete the topic",
    ]


async def test_unknown_and_deleted_topics(world: BotWorld, forum: ChatRecord) -> None:
    assert await refusal(world, "closeForumTopic", chat_id=forum.id) == (
        "Bad Request: invalid message thread identifier specified"
    )
    assert await refusal(world, "closeForumTopic", chat_id=forum.id, message_thread_id=999) == (
        "Bad Request: TOPIC_ID_INVALID"
    )
    thread_id = world.create_topic(forum.id, "Тема", by=ADA).thread_id
    world.send_text(ADA, "сообщение в теме", chat_id=forum.id, thread_id=thread_id)
    assert await call(world, "deleteForumTopic", chat_id=forum.id, message_thread_id=thread_id)

    assert [m for m in world.messages(forum.id) if m.message_thread_id == thread_id] == []
    assert await refusal(
        world, "sendMessage", chat_id=forum.id, text="x", message_thread_id=thread_id
    ) == "Bad Request: message thread not found"
    assert await refusal(
        world, "reopenForumTopic", chat_id=forum.id, message_thread_id=thread_id
    ) == "Bad Request: TOPIC_ID_INVALID"


# -- where messages may go ------------------------------------------------------------------


async def test_a_closed_topic_takes_messages_only_from_those_who_manage_topics(
    world: BotWorld, forum: ChatRecord
) -> None:
    thread_id = world.create_topic(forum.id, "Тема", by=ADA).thread_id
    world.close_topic(forum.id, thread_id, by=ADA)
    params = {"chat_id": forum.id, "text": "x", "message_thread_id": thread_id}

    assert (await call(world, "sendMessage", **params))["message_thread_id"] == thread_id
    world.set_bot_in_chat(forum.id, True, admin=False)
    assert await refusal(world, "sendMessage", **params) == "Bad Request: TOPIC_CLOSED"
    reply_in_topic = world.send_text(ADA, "админ пишет", chat_id=forum.id, thread_id=thread_id)
    assert await refusal(
        world, "sendMessage", chat_id=forum.id, text="x",
        reply_parameters={"message_id": reply_in_topic.message_id},
    ) == "Bad Request: TOPIC_CLOSED"  # a reply goes to the topic of the message it answers
    with pytest.raises(ControlError, match="closed"):
        world.send_text(BORIS, "участник пишет", chat_id=forum.id, thread_id=thread_id)


async def test_the_general_topic_is_addressed_without_an_id(
    world: BotWorld, forum: ChatRecord
) -> None:
    assert await refusal(
        world, "sendMessage", chat_id=forum.id, text="x", message_thread_id=1
    ) == "Bad Request: message thread not found"
    general = world.send_text(ADA, "в General", chat_id=forum.id)
    assert general.update is not None
    assert "message_thread_id" not in general.update["message"]
    assert "is_topic_message" not in general.update["message"]


async def test_what_people_do_with_topics_reaches_the_bot_as_service_messages(
    world: BotWorld, forum: ChatRecord
) -> None:
    thread_id = world.create_topic(forum.id, "Тема", by=ADA, icon_custom_emoji_id="5312241539987020022").thread_id
    world.send_text(BORIS, "вопрос", chat_id=forum.id, thread_id=thread_id)
    world.edit_topic(forum.id, thread_id, name="Тема 2", by=ADA)
    world.close_topic(forum.id, thread_id, by=ADA)
    world.reopen_topic(forum.id, thread_id, by=ADA)

    messages = [update["message"] for update in world.take_all_updates()]
    assert messages[0]["forum_topic_created"] == {
        "name": "Тема", "icon_color": forum.topics[thread_id].icon_color,
        "icon_custom_emoji_id": "5312241539987020022",
    }
    assert messages[0]["message_id"] == thread_id and messages[0]["from"]["id"] == ADA
    assert messages[1]["text"] == "вопрос" and messages[1]["message_thread_id"] == thread_id
    assert messages[2]["forum_topic_edited"] == {"name": "Тема 2"}
    assert messages[3]["forum_topic_closed"] == {} and messages[4]["forum_topic_reopened"] == {}
    assert all(m["is_topic_message"] is True for m in messages)


async def test_aiogram_reads_topics_and_their_service_messages(emulator: Emulator) -> None:
    from aiogram import Dispatcher, Router
    from aiogram.types import Message

    seen: list[str] = []
    router = Router()

    @router.message()
    async def note(message: Message) -> None:
        seen.append(
            "created" if message.forum_topic_created
            else "closed" if message.forum_topic_closed
            else f"text in {message.message_thread_id}"
        )

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot(TOKEN, session=EmulatorSession(emulator))
    async with InProcessWorld(dispatcher, bot) as driver:
        group = await driver.group("Форум", is_forum=True, bot_admin=True)
        ada = await driver.member(group, "Ада", admin=True)
        thread_id = await ada.create_topic("Заявка №1")
        await ada.in_topic(thread_id).send("привет")
        await ada.close_topic(thread_id)
        created = await bot.create_forum_topic(group.chat_id, "Заявка №2")
        await bot.close_forum_topic(group.chat_id, created.message_thread_id)
        with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
            await bot.close_forum_topic(group.chat_id, created.message_thread_id)
    assert seen == ["created", f"text in {thread_id}", "closed"]


async def test_topics_over_the_control_api(
    remote: RemoteBot, bot: Bot
) -> None:
    await remote.add_user(user_id=ADA, first_name="Ада")
    group = await remote.add_group(
        title="Форум", type="supergroup", is_forum=True, admins=[ADA], bot_admin=True,
        bot_rights=["can_manage_topics"],
    )
    topic = await remote.create_topic(group["id"], "Заявка", by=ADA)
    await remote.send_text(ADA, "в теме", chat_id=group["id"], thread_id=topic["message_thread_id"])
    await remote.close_topic(group["id"], topic["message_thread_id"], by=ADA)
    sent = await bot.send_message(group["id"], "бот может", message_thread_id=topic["message_thread_id"])
    await remote.delete_topic(group["id"], topic["message_thread_id"])

    [listed] = await remote.topics(group["id"])
    assert listed["closed"] is True and listed["deleted"] is True
    assert sent.is_topic_message is True
    assert await remote.messages(group["id"]) == []  # the topic took its messages along


# -- a topic is the thread of its first message ----------------------------------------------


async def test_a_message_in_a_topic_answers_the_topics_first_message_unless_it_replies(
    world: BotWorld, forum: ChatRecord
) -> None:
    """Telegram sets reply_to_message of every message in a topic to the topic's
    forum_topic_created message (a topic is that message's thread), unless it replies to
    another one; the General topic has no such message."""
    topic = await call(world, "createForumTopic", chat_id=forum.id, name="№1")
    thread_id = topic["message_thread_id"]
    first = world.send_text(BORIS, "вопрос", chat_id=forum.id, thread_id=thread_id)
    answer = world.send_text(ADA, "ответ", chat_id=forum.id, reply_to_message_id=first.message_id)
    sent = await call(world, "sendMessage", chat_id=forum.id, text="бот", message_thread_id=thread_id)
    general = world.send_text(ADA, "в General", chat_id=forum.id)

    assert first.update is not None and answer.update is not None and general.update is not None
    root = first.update["message"]["reply_to_message"]
    assert root["message_id"] == thread_id and root["from"]["is_bot"] is True
    assert root["forum_topic_created"]["name"] == "№1"
    assert answer.update["message"]["reply_to_message"]["message_id"] == first.message_id
    assert sent["reply_to_message"]["message_id"] == thread_id
    assert "reply_to_message" not in general.update["message"]
    assert "reply_to_message" not in root  # the replied-to message comes without its own


async def test_in_privacy_mode_the_bot_hears_every_message_of_the_topics_it_created_only(
    world: BotWorld, forum: ChatRecord
) -> None:
    """Each message in a topic the bot created answers the bot's own message, so a bot in
    privacy mode gets them all; in a topic a person created it gets commands and replies."""
    bots = (await call(world, "createForumTopic", chat_id=forum.id, name="Тема бота"))[
        "message_thread_id"
    ]
    peoples = world.create_topic(forum.id, "Тема людей", by=ADA).thread_id
    world.set_bot_in_chat(forum.id, True, admin=False)  # an administrator hears everything
    world.privacy_mode = True
    world.take_all_updates()

    heard = world.send_text(BORIS, "заметка", chat_id=forum.id, thread_id=bots)
    unheard = world.send_text(BORIS, "болтовня", chat_id=forum.id, thread_id=peoples)
    photo = world.send_media(BORIS, "photo", chat_id=forum.id, thread_id=bots)
    command = world.send_text(BORIS, "/help", chat_id=forum.id, thread_id=peoples)

    assert heard.update is not None and photo.update is not None and command.update is not None
    assert unheard.update is None
    assert photo.update["message"]["message_thread_id"] == bots


async def test_people_send_media_into_a_topic_as_replies_and_edit_captions(
    world: BotWorld, forum: ChatRecord
) -> None:
    thread_id = world.create_topic(forum.id, "Тема", by=ADA).thread_id
    question = world.send_text(BORIS, "вопрос", chat_id=forum.id, thread_id=thread_id)
    voice = world.send_media(ADA, "voice", chat_id=forum.id, reply_to_message_id=question.message_id)
    photo = world.send_media(ADA, "photo", chat_id=forum.id, thread_id=thread_id, caption="было")
    world.take_all_updates()
    world.edit_user_message(ADA, forum.id, photo.message_id, "стало")

    assert voice.message is not None and voice.message.message_thread_id == thread_id
    assert voice.message.reply_to is not None and voice.message.reply_to.message_id == question.message_id
    [edited] = world.take_all_updates()
    assert edited["edited_message"]["caption"] == "стало"
    assert edited["edited_message"]["message_thread_id"] == thread_id
    sticker = world.send_media(ADA, "sticker", chat_id=forum.id, thread_id=thread_id)
    with pytest.raises(ControlError, match="captions"):
        world.edit_user_message(ADA, forum.id, sticker.message_id, "у стикера нет подписи")
