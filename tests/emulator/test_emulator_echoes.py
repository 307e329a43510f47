"""What Telegram returns: every field it echoes back from the request, field by field.

The reference is the Bot API (core.telegram.org/bots/api, the descriptions aiogram's types
carry) and the Bot API server's own writer of these objects (tdlib/telegram-bot-api,
Client.cpp: JsonMessage, JsonChat, JsonUser, JsonChatMember). Every answer is also read
back through aiogram's `Response[<the method's return type>]`, as the bot reads it.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot, methods
from aiogram.methods.base import Response
from aiogram.types import ChatFullInfo, User

from bot.emulator import BotWorld, Emulator, call_method
from tests.kit import EmulatorSession

USER = 1001
TOKEN = "123456:TEST-token_for-the-emulator"
INLINE = {"inline_keyboard": [[{"text": "Далее", "callback_data": "next"}]]}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03\x08\x02\x00\x00\x00"
)


@pytest.fixture
def started(world: BotWorld) -> BotWorld:
    world.add_user(USER, "Анна", last_name="Иванова", username="anna_i", started=True)
    return world


async def call(world: BotWorld, method: str, **params: Any) -> Any:
    """The JSON result, checked to read back as aiogram's declared return type."""
    result = await call_method(world, method, params)
    returning = getattr(methods, method[0].upper() + method[1:]).__returning__
    Response[returning].model_validate({"ok": True, "result": result}, context={"bot": None})
    return result


async def send(world: BotWorld, text: str = "Урок 1", **params: Any) -> dict[str, Any]:
    return await call(world, "sendMessage", chat_id=params.pop("chat_id", USER), text=text, **params)


# -- link_preview_options -------------------------------------------------------------------


async def test_link_preview_options_come_back_when_they_were_changed(started: BotWorld) -> None:
    """Message.link_preview_options: "if it is a text message and link preview options were
    changed"."""
    disabled = await send(started, "https://example.com", link_preview_options={"is_disabled": True})
    assert disabled["link_preview_options"] == {"is_disabled": True}
    custom = await send(
        started,
        "см. https://example.com",
        link_preview_options={
            "url": "https://example.org", "prefer_small_media": True, "show_above_text": True,
            "is_disabled": False,
        },
    )
    assert custom["link_preview_options"] == {
        "url": "https://example.org", "prefer_small_media": True, "show_above_text": True,
    }
    plain = await send(started, "https://example.com")
    assert "link_preview_options" not in plain


async def test_the_legacy_switch_comes_back_as_link_preview_options(started: BotWorld) -> None:
    legacy = await send(started, "x", disable_web_page_preview=True)
    assert legacy["link_preview_options"] == {"is_disabled": True}
    both = await send(
        started, "x", disable_web_page_preview=True, link_preview_options={"prefer_large_media": True}
    )
    assert both["link_preview_options"] == {"prefer_large_media": True}  # the object wins


async def test_the_bot_as_aiogram_builds_it_gets_link_preview_options_back(
    emulator: Emulator,
) -> None:
    """The bot's defaults (link_preview_is_disabled) go out as both fields; what comes back is
    the object aiogram fills with Default placeholders (issue 12 #1)."""
    from aiogram.client.default import DefaultBotProperties

    bot = Bot(
        TOKEN, session=EmulatorSession(emulator),
        default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
    )
    emulator.world(TOKEN).add_user(USER, "Анна", started=True)
    sent = await bot.send_message(USER, "<b>Урок</b> https://example.com")
    edited = await bot.edit_message_text("<i>Урок</i>", chat_id=USER, message_id=sent.message_id)
    assert sent.link_preview_options is not None and sent.link_preview_options.is_disabled is True
    assert edited.link_preview_options is not None and edited.link_preview_options.is_disabled
    await bot.session.close()


# -- edits ----------------------------------------------------------------------------------


async def test_an_edit_echoes_its_own_options_and_no_reply(started: BotWorld) -> None:
    question = started.send_text(USER, "вопрос")
    sent = await send(
        started, "ответ", reply_parameters={"message_id": question.message_id},
        link_preview_options={"is_disabled": True},
    )
    assert sent["reply_to_message"]["message_id"] == question.message_id
    assert "edit_date" not in sent

    edited = await call(
        started, "editMessageText", chat_id=USER, message_id=sent["message_id"],
        text="<b>ответ</b>", parse_mode="HTML", link_preview_options={"show_above_text": True},
        reply_markup=INLINE,
    )

    assert edited["link_preview_options"] == {"show_above_text": True}
    assert edited["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert edited["reply_markup"] == INLINE
    assert isinstance(edited["edit_date"], int) and edited["edit_date"] >= sent["date"]
    assert "reply_to_message" not in edited  # the Bot API writes edits without it
    assert edited["from"]["id"] == started.bot_id and edited["from"]["is_bot"] is True
    markup_only = await call(
        started, "editMessageReplyMarkup", chat_id=USER, message_id=sent["message_id"]
    )
    assert "reply_markup" not in markup_only and "reply_to_message" not in markup_only


async def test_edited_caption_echoes_entities_and_position(started: BotWorld) -> None:
    photo = await call(
        started, "sendPhoto", chat_id=USER, photo=_upload(), caption="a",
        show_caption_above_media=True,
    )
    assert photo["show_caption_above_media"] is True
    edited = await call(
        started, "editMessageCaption", chat_id=USER, message_id=photo["message_id"],
        caption="<i>подпись</i>", parse_mode="HTML",
    )
    assert edited["caption"] == "подпись"
    assert edited["caption_entities"] == [{"type": "italic", "offset": 0, "length": 7}]
    assert "show_caption_above_media" not in edited  # not asked for again: below the media


# -- entities, keyboards, protection, effects, captions -------------------------------------


async def test_html_comes_back_as_plain_text_with_entities(started: BotWorld) -> None:
    result = await send(
        started, 'Шаг <b>1</b> из <a href="https://example.com/x">урока</a>', parse_mode="HTML"
    )
    assert result["text"] == "Шаг 1 из урока"
    assert result["entities"] == [
        {"type": "bold", "offset": 4, "length": 1},
        {"type": "text_link", "offset": 9, "length": 5, "url": "https://example.com/x"},
    ]
    plain = await send(started, "без разметки")
    assert "entities" not in plain


@pytest.mark.parametrize(
    ("markup", "echoed"),
    [
        (INLINE, True),
        ({"keyboard": [[{"text": "Поделиться", "request_contact": True}]]}, False),
        ({"remove_keyboard": True}, False),
        ({"force_reply": True}, False),
    ],
)
async def test_only_inline_keyboards_come_back_in_the_message(
    started: BotWorld, markup: dict[str, Any], echoed: bool
) -> None:
    result = await send(started, reply_markup=markup)
    assert result.get("reply_markup") == (markup if echoed else None)


async def test_protected_content_comes_back_as_has_protected_content(started: BotWorld) -> None:
    assert (await send(started, protect_content=True))["has_protected_content"] is True
    assert "has_protected_content" not in await send(started)
    document = await call(
        started, "sendDocument", chat_id=USER, document=_upload("a.csv"), protect_content=True
    )
    assert document["has_protected_content"] is True


async def test_message_effect_comes_back_as_effect_id(started: BotWorld) -> None:
    result = await send(started, message_effect_id="5104841245755180586")
    assert result["effect_id"] == "5104841245755180586"
    assert "effect_id" not in await send(started)


async def test_caption_above_media_only_with_a_caption_and_a_kind_that_takes_it(
    started: BotWorld,
) -> None:
    with_caption = await call(
        started, "sendPhoto", chat_id=USER, photo=_upload(), caption="<b>Воронка</b>",
        parse_mode="HTML", show_caption_above_media=True,
    )
    assert with_caption["show_caption_above_media"] is True
    assert with_caption["caption_entities"] == [{"type": "bold", "offset": 0, "length": 7}]
    bare = await call(
        started, "sendPhoto", chat_id=USER, photo=_upload(), show_caption_above_media=True
    )
    assert "show_caption_above_media" not in bare and "caption" not in bare
    document = await call(
        started, "sendDocument", chat_id=USER, document=_upload("a.csv"), caption="x",
        show_caption_above_media=True,
    )
    assert "show_caption_above_media" not in document


# -- who, where, in reply to what -----------------------------------------------------------


async def test_messages_come_from_the_bot_in_the_full_chat(started: BotWorld) -> None:
    private = await send(started)
    assert private["from"] == {
        "id": started.bot_id, "is_bot": True, "first_name": started.first_name,
        "username": started.username,
    }
    assert private["chat"] == {
        "id": USER, "first_name": "Анна", "last_name": "Иванова", "username": "anna_i",
        "type": "private",
    }
    supergroup = started.add_group(
        title="Консультанты", type="supergroup", username="consultants", is_forum=True
    )
    assert (await send(started, chat_id=supergroup.id))["chat"] == {
        "id": supergroup.id, "type": "supergroup", "title": "Консультанты",
        "username": "consultants", "is_forum": True,
    }
    group = started.add_group(title="Старая группа")
    basic = (await send(started, chat_id=group.id))["chat"]
    assert basic["all_members_are_administrators"] is False
    assert basic["accepted_gift_types"] == {
        "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
        "premium_subscription": False, "gifts_from_channels": False,
    }
    assert "sender_chat" not in private


async def test_a_reply_carries_the_replied_message_without_its_own_reply(
    started: BotWorld,
) -> None:
    first = await send(started, "один")
    second = await send(started, "два", reply_parameters={"message_id": first["message_id"]})
    third = await send(started, "три", reply_parameters={"message_id": second["message_id"]})
    assert third["reply_to_message"]["text"] == "два"
    assert "reply_to_message" not in third["reply_to_message"]


async def test_topic_fields_only_inside_a_forum_topic(started: BotWorld) -> None:
    forum = started.add_group(title="Форум", type="supergroup", is_forum=True)
    topic = started.create_topic(forum.id, "Заявки")
    in_topic = await send(started, chat_id=forum.id, message_thread_id=topic.thread_id)
    assert in_topic["message_thread_id"] == topic.thread_id
    assert in_topic["is_topic_message"] is True
    general = await send(started, chat_id=forum.id)
    assert "message_thread_id" not in general and "is_topic_message" not in general
    plain = started.add_group(title="Группа", type="supergroup")
    ignored = await send(started, chat_id=plain.id, message_thread_id=topic.thread_id)
    assert "message_thread_id" not in ignored and "is_topic_message" not in ignored


# -- other returned types -------------------------------------------------------------------


async def test_get_me_has_every_bot_only_flag_of_user(started: BotWorld) -> None:
    me = await call(started, "getMe")
    bot_only = set(User.model_fields) - {
        "id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium",
        "added_to_attachment_menu", "supports_join_request_queries",
    }
    assert bot_only <= set(me), bot_only - set(me)
    assert me["can_read_all_group_messages"] is False  # privacy mode on
    assert me["is_bot"] is True and me["username"] == started.username


async def test_administrators_have_the_rights_of_their_chat_type(started: BotWorld) -> None:
    started.add_user(2, "Ада")
    supergroup = started.add_group(title="С", type="supergroup", admins=[2], bot_admin=True)
    group = started.add_group(title="Г", admins=[2], bot_admin=True)
    in_super = await call(started, "getChatMember", chat_id=supergroup.id, user_id=2)
    in_group = await call(started, "getChatMember", chat_id=group.id, user_id=2)
    assert in_super["status"] == "administrator"
    assert in_super["can_manage_topics"] is True and in_super["can_pin_messages"] is True
    assert "can_manage_topics" not in in_group and in_group["can_pin_messages"] is True
    for member in (in_super, in_group):
        assert member["can_be_edited"] is False and member["is_anonymous"] is False
        assert member["can_manage_voice_chats"] == member["can_manage_video_chats"]
        assert "can_post_messages" not in member  # channels only


async def test_the_bot_is_an_administrator_with_the_rights_it_was_given(started: BotWorld) -> None:
    forum = started.add_group(
        title="Ф", type="supergroup", is_forum=True, bot_admin=True,
        bot_rights=["can_delete_messages", "can_pin_messages"],
    )
    me = await call(started, "getChatMember", chat_id=forum.id, user_id=started.bot_id)
    assert me["status"] == "administrator"
    assert me["can_delete_messages"] is True and me["can_pin_messages"] is True
    assert me["can_manage_topics"] is False and me["can_promote_members"] is False


async def test_creator_member_left_and_kicked(started: BotWorld) -> None:
    started.add_user(2, "Ада")
    started.add_user(3, "Борис")
    started.add_user(4, "Вера")
    group = started.add_group(title="С", type="supergroup", creator=2, members=[3])
    started.remove_member(group.id, 3, banned=True)
    answers = {
        user_id: await call(started, "getChatMember", chat_id=group.id, user_id=user_id)
        for user_id in (2, 4, 3)
    }
    assert answers[2] == {"status": "creator", "user": answers[2]["user"], "is_anonymous": False}
    assert answers[4] == {"status": "left", "user": answers[4]["user"]}
    assert answers[3]["status"] == "kicked" and answers[3]["until_date"] == 0


@pytest.mark.parametrize("kind", ["private", "group", "supergroup"])
async def test_get_chat_is_a_full_info_for_every_chat_type(started: BotWorld, kind: str) -> None:
    if kind == "private":
        chat_id = USER
    else:
        chat_id = started.add_group(title="Т", type=kind, username="tt" if kind != "group" else None).id
    info = await call(started, "getChat", chat_id=chat_id)
    full = ChatFullInfo.model_validate(info)
    assert full.id == chat_id and full.type == kind
    assert isinstance(info["max_reaction_count"], int) and isinstance(info["accent_color_id"], int)
    assert set(info["accepted_gift_types"]) == {
        "unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
        "gifts_from_channels",
    }
    if kind == "private":
        assert info["can_send_gift"] is True and info["active_usernames"] == ["anna_i"]
        assert "permissions" not in info
    else:
        assert info["permissions"]["can_send_messages"] is True


async def test_a_file_comes_back_with_its_path(started: BotWorld) -> None:
    document = await call(started, "sendDocument", chat_id=USER, document=_upload("отчёт.csv"))
    assert document["document"]["file_name"] == "отчёт.csv"
    assert document["document"]["mime_type"] == "text/csv"
    file = await call(started, "getFile", file_id=document["document"]["file_id"])
    assert set(file) == {"file_id", "file_unique_id", "file_size", "file_path"}
    assert file["file_size"] == len(b"a;b\n")


async def test_a_photo_comes_back_in_every_size_telegram_makes(started: BotWorld) -> None:
    """PhotoSize thumbnails (sides up to 90, 320, 800 px) then the photo, each its own file;
    sending it again by file id gives the same sizes."""
    from bot.emulator.params import Upload

    wide = PNG[:16] + (1280).to_bytes(4, "big") + (720).to_bytes(4, "big") + PNG[24:]
    sent = await call(started, "sendPhoto", chat_id=USER, photo=Upload("wide.png", wide))
    sizes = [(size["width"], size["height"]) for size in sent["photo"]]
    assert sizes == [(90, 51), (320, 180), (800, 450), (1280, 720)]
    assert len({size["file_id"] for size in sent["photo"]}) == 4
    for size in sent["photo"]:
        assert (await call(started, "getFile", file_id=size["file_id"]))["file_id"] == size["file_id"]
    again = await call(started, "sendPhoto", chat_id=USER, photo=sent["photo"][0]["file_id"])
    assert again["photo"] == sent["photo"]
    tiny = await call(started, "sendPhoto", chat_id=USER, photo=_upload())  # 2×3 px
    assert [(size["width"], size["height"]) for size in tiny["photo"]] == [(2, 3)]


async def test_webhook_info_names_allowed_updates_even_without_a_webhook(
    started: BotWorld,
) -> None:
    assert await call(started, "getWebhookInfo") == {
        "url": "", "has_custom_certificate": False, "pending_update_count": 0,
    }
    await call(started, "getUpdates", allowed_updates=["message", "callback_query"])
    info = await call(started, "getWebhookInfo")
    assert info["allowed_updates"] == ["callback_query", "message"] and info["url"] == ""


def _upload(name: str = "chart.png") -> Any:
    from bot.emulator.params import Upload

    return Upload(name, PNG if name.endswith(".png") else b"a;b\n")
