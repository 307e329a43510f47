"""Bot API method semantics and Telegram's exact errors, through `call_method`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.emulator import ApiError, BotWorld, TransportFault, call_method
from bot.emulator.errors import NOT_MODIFIED, QUERY_TOO_OLD
from tests.emulator.calls import call, error_of
from tests.waiting import until_suspended

USER = 1001
KEYBOARD = {"inline_keyboard": [[{"text": "Далее", "callback_data": "next"}]]}


@pytest.fixture
def started(world: BotWorld) -> BotWorld:
    world.add_user(USER, "Анна", started=True)
    return world


async def send(world: BotWorld, text: str = "Урок 1", **params: Any) -> dict[str, Any]:
    return await call(world, "sendMessage", chat_id=USER, text=text, **params)


def of_sent(sent: dict[str, Any], **params: Any) -> dict[str, Any]:
    """The parameters of a call about the message `sent` in the user's chat."""
    return {"chat_id": USER, "message_id": sent["message_id"], **params}


# -- sendMessage ----------------------------------------------------------------------------


async def test_send_message_returns_telegram_message(started: BotWorld) -> None:
    result = await send(started, "Привет", reply_markup=KEYBOARD)
    assert result["message_id"] == 1
    assert result["from"]["is_bot"] is True and result["from"]["id"] == started.bot_id
    assert result["chat"]["id"] == USER and result["text"] == "Привет"
    assert result["reply_markup"] == KEYBOARD
    stored = started.bot_messages(USER)[0]
    assert stored.text == "Привет" and stored.reply_markup == KEYBOARD


async def test_method_names_are_case_insensitive(started: BotWorld) -> None:
    assert (await call(started, "SENDMESSAGE", chat_id=USER, text="x"))["text"] == "x"
    assert started.calls("sendmessage")[0].method == "sendMessage"


async def test_unknown_method_is_not_found(world: BotWorld) -> None:
    error = await error_of(world, "sendTelepathy")
    assert (error.error_code, error.description) == (404, "Not Found")


async def test_form_encoded_values_are_decoded(started: BotWorld) -> None:
    result = await call_method(
        started,
        "sendMessage",
        {"chat_id": str(USER), "text": "123", "reply_markup": json.dumps(KEYBOARD)},
    )
    assert result["text"] == "123" and result["reply_markup"] == KEYBOARD


async def test_unknown_chat_is_not_found(started: BotWorld) -> None:
    for chat_id in (999, -100123, "@nobody"):
        error = await error_of(started, "sendMessage", chat_id=chat_id, text="x")
        assert (error.error_code, error.description) == (400, "Bad Request: chat not found")


async def test_group_can_be_addressed_by_username(started: BotWorld) -> None:
    group = started.add_group(title="Консультанты", type="supergroup", username="consultants")
    result = await call(started, "sendMessage", chat_id="@consultants", text="x")
    assert result["chat"]["id"] == group.id


@pytest.mark.parametrize("text", ["", "   \n\t ", "<b> </b>"])
async def test_empty_text_is_rejected(started: BotWorld, text: str) -> None:
    error = await error_of(started, "sendMessage", chat_id=USER, text=text, parse_mode="HTML")
    assert error.description == "Bad Request: message text is empty"


async def test_missing_text_is_rejected(started: BotWorld) -> None:
    error = await error_of(started, "sendMessage", chat_id=USER)
    assert error.description == "Bad Request: message text is empty"


async def test_text_over_4096_characters_is_too_long(started: BotWorld) -> None:
    """Characters (code points), not UTF-16 units: TDLib checks utf8_length(text), and 4,096
    emoji (8,192 UTF-16 units) were measured accepted by the real Bot API, 4,097 refused."""
    await send(started, "я" * 4096)
    await send(started, "😀" * 4096)
    error = await error_of(started, "sendMessage", chat_id=USER, text="😀" * 4097)
    assert error.description == "Bad Request: message is too long"


async def test_length_is_counted_after_html_parsing(started: BotWorld) -> None:
    html = "<b>" + "я" * 4096 + "</b>"
    result = await send(started, html, parse_mode="HTML")
    assert len(result["text"]) == 4096


async def test_html_is_parsed_into_entities_and_kept(started: BotWorld) -> None:
    html = '<b>Урок</b> <a href="https://example.com">тут</a>'
    result = await send(started, html, parse_mode="HTML")
    assert result["text"] == "Урок тут"
    assert [e["type"] for e in result["entities"]] == ["bold", "text_link"]
    assert started.bot_messages(USER)[0].html == html


async def test_html_parse_error_matches_telegram_description(started: BotWorld) -> None:
    error = await error_of(started, "sendMessage", chat_id=USER, text="<b>x", parse_mode="HTML")
    assert error.error_code == 400
    assert error.description == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    error = await error_of(
        started, "sendMessage", chat_id=USER, text="<div>x</div>", parse_mode="HTML"
    )
    assert error.description.startswith(
        'Bad Request: can\'t parse entities: Unsupported start tag "div"'
    )


async def test_plain_text_is_stored_escaped_as_html(started: BotWorld) -> None:
    await send(started, "a < b & c")
    assert started.bot_messages(USER)[0].html == "a &lt; b &amp; c"


async def test_surrounding_whitespace_is_trimmed_like_telegram(started: BotWorld) -> None:
    result = await send(started, "\n  <b>Итог</b>\n\n", parse_mode="HTML")
    assert result["text"] == "Итог"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 4}]


async def test_unsupported_parse_mode(started: BotWorld) -> None:
    error = await error_of(started, "sendMessage", chat_id=USER, text="x", parse_mode="BBCode")
    assert error.description == "Bad Request: unsupported parse_mode"


async def test_reply_parameters_and_legacy_reply_id(started: BotWorld) -> None:
    user_message = started.send_text(USER, "вопрос")
    modern = await send(started, "a", reply_parameters={"message_id": user_message.message_id})
    legacy = await send(started, "b", reply_to_message_id=user_message.message_id)
    assert modern["reply_to_message"]["text"] == "вопрос"
    assert legacy["reply_to_message"]["message_id"] == user_message.message_id
    error = await error_of(
        started, "sendMessage", chat_id=USER, text="c", reply_parameters={"message_id": 999}
    )
    assert error.description == "Bad Request: message to be replied not found"
    tolerant = await send(
        started, "d", reply_parameters={"message_id": 999, "allow_sending_without_reply": True}
    )
    assert "reply_to_message" not in tolerant


async def test_message_thread_id_is_kept_in_forum_topics(started: BotWorld) -> None:
    forum = started.add_group(title="Форум", type="supergroup", is_forum=True)
    started.create_topic(forum.id, "Заявки", thread_id=5)
    result = await call(started, "sendMessage", chat_id=forum.id, text="x", message_thread_id=5)
    assert result["message_thread_id"] == 5 and result["is_topic_message"] is True


# -- reply_markup validation ----------------------------------------------------------------


async def test_callback_data_over_64_bytes_is_button_data_invalid(started: BotWorld) -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "я" * 33}]]}
    error = await error_of(started, "sendMessage", chat_id=USER, text="x", reply_markup=markup)
    assert error.description == "Bad Request: BUTTON_DATA_INVALID"
    ok = {"inline_keyboard": [[{"text": "x", "callback_data": "я" * 32}]]}
    await send(started, reply_markup=ok)


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ({"inline_keyboard": [[{"text": "x"}]]}, "Text buttons are unallowed"),
        ({"inline_keyboard": [["x"]]}, "InlineKeyboardButton must be an Object"),
        ({"inline_keyboard": [[{"callback_data": "a"}]]}, 'Field "text" must be of type String'),
    ],
)
async def test_malformed_inline_buttons_are_rejected(
    started: BotWorld, markup: dict[str, Any], reason: str
) -> None:
    error = await error_of(started, "sendMessage", chat_id=USER, text="x", reply_markup=markup)
    assert error.description.startswith("Bad Request: can't parse inline keyboard button: ")
    assert reason in error.description


async def test_inline_keyboard_must_be_array_of_arrays(started: BotWorld) -> None:
    markup = {"inline_keyboard": [{"text": "x", "callback_data": "a"}]}
    error = await error_of(started, "sendMessage", chat_id=USER, text="x", reply_markup=markup)
    assert error.description == (
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of '
        "Arrays"
    )


async def test_bad_button_url_is_rejected(started: BotWorld) -> None:
    markup = {"inline_keyboard": [[{"text": "x", "url": "example.com"}]]}
    error = await error_of(started, "sendMessage", chat_id=USER, text="x", reply_markup=markup)
    assert error.description == "Bad Request: BUTTON_URL_INVALID"


async def test_unparsable_markup_json_is_rejected(started: BotWorld) -> None:
    with pytest.raises(ApiError) as caught:
        await call_method(
            started, "sendMessage", {"chat_id": USER, "text": "x", "reply_markup": "{oops"}
        )
    assert caught.value.description == "Bad Request: can't parse reply keyboard markup JSON object"


async def test_reply_keyboard_is_tracked_per_chat(started: BotWorld) -> None:
    keyboard = {"keyboard": [[{"text": "Поделиться", "request_contact": True}]]}
    result = await send(started, "Телефон?", reply_markup=keyboard)
    assert "reply_markup" not in result  # Telegram returns only inline keyboards
    assert started.chats[USER].reply_keyboard == keyboard
    await send(started, "Спасибо", reply_markup={"remove_keyboard": True})
    assert started.chats[USER].reply_keyboard is None


# -- access errors --------------------------------------------------------------------------


async def test_blocked_user_is_forbidden(started: BotWorld) -> None:
    started.block_bot(USER)
    error = await error_of(started, "sendMessage", chat_id=USER, text="x")
    assert (error.error_code, error.description) == (403, "Forbidden: bot was blocked by the user")


async def test_user_who_never_started_the_bot_is_forbidden(world: BotWorld) -> None:
    world.add_user(USER, "Анна")
    error = await error_of(world, "sendMessage", chat_id=USER, text="x")
    assert error.description == "Forbidden: bot can't initiate conversation with a user"
    world.send_text(USER, "/start")
    await send(world)


async def test_kicked_bot_gets_forbidden_or_not_found(started: BotWorld) -> None:
    group = started.add_group(title="Консультанты")
    started.set_bot_in_chat(group.id, present=False)
    error = await error_of(started, "sendMessage", chat_id=group.id, text="x")
    assert (error.error_code, error.description) == (
        403,
        "Forbidden: bot was kicked from the group chat",
    )
    started.set_bot_in_chat(group.id, present=False, not_found=True)
    error = await error_of(started, "sendMessage", chat_id=group.id, text="x")
    assert error.description == "Bad Request: chat not found"


async def test_migrated_group_rejects_old_id(started: BotWorld) -> None:
    group = started.add_group(chat_id=-4242, title="Консультанты")
    new_id = started.migrate_group(group.id)
    error = await error_of(started, "sendMessage", chat_id=group.id, text="x")
    assert error.error_code == 400
    assert error.description == "Bad Request: group chat was upgraded to a supergroup chat"
    assert error.parameters == {"migrate_to_chat_id": new_id}
    assert (await call(started, "sendMessage", chat_id=new_id, text="x"))["chat"]["id"] == new_id


# -- edits and deletions --------------------------------------------------------------------


async def test_edit_message_records_history(started: BotWorld) -> None:
    sent = await send(started, "<b>v1</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    edited = await call(
        started, "editMessageText", **of_sent(sent, text="v2", reply_markup=KEYBOARD)
    )
    assert edited["text"] == "v2" and "edit_date" in edited
    stored = started.bot_messages(USER)[0]
    assert stored.text == "v2"
    assert stored.history[0]["text"] == "v1" and stored.history[0]["html"] == "<b>v1</b>"
    assert [event.kind for event in started.events()][-1] == "edit"


async def test_edit_without_markup_removes_inline_keyboard(started: BotWorld) -> None:
    sent = await send(started, "v1", reply_markup=KEYBOARD)
    edited = await call(started, "editMessageText", **of_sent(sent, text="v2"))
    assert "reply_markup" not in edited
    assert started.bot_messages(USER)[0].reply_markup is None


async def test_identical_edit_is_not_modified(started: BotWorld) -> None:
    sent = await send(started, "same", reply_markup=KEYBOARD)
    error = await error_of(
        started, "editMessageText", **of_sent(sent, text="same", reply_markup=KEYBOARD)
    )
    assert error.description == f"Bad Request: {NOT_MODIFIED}"
    error = await error_of(
        started, "editMessageReplyMarkup", **of_sent(sent, reply_markup=KEYBOARD)
    )
    assert error.description == f"Bad Request: {NOT_MODIFIED}"


async def test_edit_of_missing_or_deleted_message(started: BotWorld) -> None:
    error = await error_of(started, "editMessageText", chat_id=USER, message_id=77, text="x")
    assert error.description == "Bad Request: message to edit not found"
    sent = await send(started)
    await call(started, "deleteMessage", **of_sent(sent))
    error = await error_of(started, "editMessageText", **of_sent(sent, text="x"))
    assert error.description == "Bad Request: message to edit not found"


async def test_user_messages_cannot_be_edited_by_the_bot(started: BotWorld) -> None:
    mine = started.send_text(USER, "моё")
    error = await error_of(
        started, "editMessageText", chat_id=USER, message_id=mine.message_id, text="x"
    )
    assert error.description == "Bad Request: message can't be edited"


async def test_edit_reply_markup_replaces_keyboard(started: BotWorld) -> None:
    sent = await send(started, "x", reply_markup=KEYBOARD)
    other = {"inline_keyboard": [[{"text": "Назад", "callback_data": "back"}]]}
    result = await call(started, "editMessageReplyMarkup", **of_sent(sent, reply_markup=other))
    assert result["reply_markup"] == other
    assert started.bot_messages(USER)[0].history[0]["reply_markup"] == KEYBOARD


async def test_delete_twice_is_not_found(started: BotWorld) -> None:
    sent = await send(started)
    assert await call(started, "deleteMessage", **of_sent(sent))
    error = await error_of(started, "deleteMessage", **of_sent(sent))
    assert error.description == "Bad Request: message to delete not found"
    assert started.messages(USER) == []
    assert started.messages(USER, include_deleted=True)[0].deleted is True


async def test_non_admin_bot_cannot_delete_group_members_messages(started: BotWorld) -> None:
    group = started.add_group(title="g", members=[USER])
    started.privacy_mode = False
    theirs = started.send_text(USER, "x", chat_id=group.id)
    error = await error_of(started, "deleteMessage", chat_id=group.id, message_id=theirs.message_id)
    assert error.description == "Bad Request: message can't be deleted"


# -- callbacks ------------------------------------------------------------------------------


async def test_answer_callback_query_is_recorded_once(started: BotWorld) -> None:
    sent = await send(started, reply_markup=KEYBOARD)
    query_id = started.click(USER, USER, sent["message_id"], "next").query_id
    assert await call(
        started, "answerCallbackQuery", callback_query_id=query_id, text="Готово", show_alert=True
    )
    answer = started.callback_answers(query_id)[0].answer
    assert answer is not None and answer["text"] == "Готово" and answer["show_alert"] is True
    error = await error_of(started, "answerCallbackQuery", callback_query_id=query_id)
    assert error.description == f"Bad Request: {QUERY_TOO_OLD}"
    error = await error_of(started, "answerCallbackQuery", callback_query_id="nope")
    assert error.description == f"Bad Request: {QUERY_TOO_OLD}"


async def test_answer_inline_query_records_results(started: BotWorld) -> None:
    query_id = started.inline_query(USER, "курс").query_id
    results = [{"type": "article", "id": "1", "title": "t", "input_message_content": {}}]
    assert await call(started, "answerInlineQuery", inline_query_id=query_id, results=results)
    assert started.inline_answers(query_id)[0].results == results


# -- commands -------------------------------------------------------------------------------


async def test_commands_are_kept_per_scope_and_language(started: BotWorld) -> None:
    default = [{"command": "start", "description": "Начать"}]
    admins = [{"command": "stats", "description": "Статистика"}]
    await call(started, "setMyCommands", commands=default)
    await call(
        started,
        "setMyCommands",
        commands=admins,
        scope={"type": "chat", "chat_id": USER},
        language_code="ru",
    )
    assert await call(started, "getMyCommands") == default
    assert started.commands() == default
    assert started.commands({"type": "chat", "chat_id": USER}, "ru") == admins
    assert started.commands({"type": "chat", "chat_id": USER}) == []
    await call(started, "deleteMyCommands")
    assert await call(started, "getMyCommands") == []


@pytest.mark.parametrize("name", ["Start", "with space", "", "x" * 33])
async def test_invalid_command_names_are_rejected(started: BotWorld, name: str) -> None:
    error = await error_of(
        started, "setMyCommands", commands=[{"command": name, "description": "d"}]
    )
    assert error.description == "Bad Request: BOT_COMMAND_INVALID"


async def test_command_scope_for_unknown_chat(started: BotWorld) -> None:
    error = await error_of(
        started,
        "setMyCommands",
        commands=[{"command": "a", "description": "b"}],
        scope={"type": "chat", "chat_id": 5},
    )
    assert error.description == "Bad Request: chat not found"


# -- chats ----------------------------------------------------------------------------------


async def test_get_chat_member_statuses(started: BotWorld) -> None:
    started.add_user(2, "Ирина")
    started.add_user(3, "Олег")
    started.add_user(4, "Пётр")
    group = started.add_group(title="g", type="supergroup", creator=USER, admins=[2], members=[3])

    async def status(user_id: int) -> str:
        member = await call(started, "getChatMember", chat_id=group.id, user_id=user_id)
        return member["status"]

    assert [await status(u) for u in (USER, 2, 3, 4)] == [
        "creator",
        "administrator",
        "member",
        "left",
    ]
    started.remove_member(group.id, 3, banned=True)
    assert await status(3) == "kicked"
    assert await status(started.bot_id) == "member"
    private = await call(started, "getChatMember", chat_id=USER, user_id=USER)
    assert private["status"] == "member"
    admins = await call(started, "getChatAdministrators", chat_id=group.id)
    assert [a["user"]["id"] for a in admins] == [USER, 2]


async def test_get_chat_returns_full_info(started: BotWorld) -> None:
    info = await call(started, "getChat", chat_id=USER)
    assert info["type"] == "private" and info["first_name"] == "Анна"
    assert "accent_color_id" in info


async def test_send_chat_action_validates_action(started: BotWorld) -> None:
    assert await call(started, "sendChatAction", chat_id=USER, action="typing")
    error = await error_of(started, "sendChatAction", chat_id=USER, action="dancing")
    assert error.description == "Bad Request: wrong parameter action in request"


async def test_leave_chat_makes_bot_absent(started: BotWorld) -> None:
    group = started.add_group(title="g")
    assert await call(started, "leaveChat", chat_id=group.id)
    error = await error_of(started, "sendMessage", chat_id=group.id, text="x")
    assert error.description == "Forbidden: bot is not a member of the group chat"


# -- getUpdates -----------------------------------------------------------------------------


async def test_offset_confirms_and_drops_earlier_updates(started: BotWorld) -> None:
    for text in ("a", "b", "c"):
        started.send_text(USER, text)
    first = await call(started, "getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["a", "b"]
    again = await call(started, "getUpdates")
    assert [u["update_id"] for u in again] == [1, 2, 3]  # unconfirmed updates come again
    rest = await call(started, "getUpdates", offset=3)
    assert [u["update_id"] for u in rest] == [3]
    assert await call(started, "getUpdates", offset=4) == []
    assert started.pending_updates() == []


async def test_limit_is_clamped(started: BotWorld) -> None:
    for index in range(150):
        started.send_text(USER, str(index))
    assert len(await call(started, "getUpdates", limit=0)) == 1
    assert len(await call(started, "getUpdates", limit=1000)) == 100


async def test_get_updates_long_poll_wakes_on_injected_message(started: BotWorld) -> None:
    poll = asyncio.create_task(call(started, "getUpdates", timeout=10))
    await until_suspended(poll)
    assert not poll.done()
    started.send_text(USER, "hi")
    updates = await asyncio.wait_for(poll, 1)
    assert updates[0]["message"]["text"] == "hi"


async def test_get_updates_long_poll_times_out_empty(started: BotWorld) -> None:
    loop = asyncio.get_running_loop()
    begin = loop.time()
    assert await call(started, "getUpdates", timeout=1) == []
    assert loop.time() - begin >= 0.9


async def test_second_get_updates_conflicts(started: BotWorld) -> None:
    first = asyncio.create_task(call(started, "getUpdates", timeout=10))
    await until_suspended(first)
    second = asyncio.create_task(call(started, "getUpdates", timeout=10))
    with pytest.raises(ApiError) as caught:
        await asyncio.wait_for(first, 1)
    assert caught.value.error_code == 409
    assert caught.value.description == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    started.send_text(USER, "hi")
    assert len(await asyncio.wait_for(second, 1)) == 1


async def test_allowed_updates_filters_future_updates(started: BotWorld) -> None:
    await call(started, "getUpdates", allowed_updates=["callback_query"])
    started.send_text(USER, "ignored")
    assert started.pending_updates() == []
    await call(started, "getUpdates", allowed_updates=[])
    started.send_text(USER, "seen")
    assert len(started.pending_updates()) == 1


async def test_get_updates_while_webhook_is_set_conflicts(started: BotWorld) -> None:
    await call(started, "setWebhook", url="http://127.0.0.1:9/hook")
    try:
        error = await error_of(started, "getUpdates")
        assert error.error_code == 409
        assert error.description.startswith("Conflict: can't use getUpdates method while webhook")
        info = await call(started, "getWebhookInfo")
        assert info["url"] == "http://127.0.0.1:9/hook"
    finally:
        await call(started, "deleteWebhook")
    assert await call(started, "getUpdates") == []


# -- faults ---------------------------------------------------------------------------------


async def test_fault_is_consumed_per_matching_call(started: BotWorld) -> None:
    started.inject_fault("sendMessage", "429", count=2, retry_after=3)
    for _ in range(2):
        error = await error_of(started, "sendMessage", chat_id=USER, text="x")
        assert (error.error_code, error.description) == (429, "Too Many Requests: retry after 3")
        assert error.parameters == {"retry_after": 3}
    await send(started)
    assert [c.ok for c in started.calls("sendMessage")] == [False, False, True]


async def test_fault_matches_chat_and_wildcard(started: BotWorld) -> None:
    started.add_user(2, "Борис", started=True)
    started.inject_fault("*", "403_blocked", chat_id=2)
    await send(started)  # other chat: unaffected
    error = await error_of(started, "sendChatAction", chat_id=2, action="typing")
    assert error.description == "Forbidden: bot was blocked by the user"
    assert await call(started, "sendChatAction", chat_id=2, action="typing")


@pytest.mark.parametrize(
    ("kind", "code", "description"),
    [
        ("500", 500, "Internal Server Error"),
        ("502", 502, "Bad Gateway"),
        ("403_kicked", 403, "Forbidden: bot was kicked from the group chat"),
        ("chat_not_found", 400, "Bad Request: chat not found"),
        ("thread_not_found", 400, "Bad Request: message thread not found"),
    ],
)
async def test_fault_kinds_answer_like_telegram(
    started: BotWorld, kind: str, code: int, description: str
) -> None:
    started.inject_fault("sendMessage", kind)
    error = await error_of(started, "sendMessage", chat_id=USER, text="x")
    assert (error.error_code, error.description) == (code, description)


@pytest.mark.parametrize("kind", ["timeout", "network"])
async def test_transport_faults_raise_transport_fault(started: BotWorld, kind: str) -> None:
    started.inject_fault("sendMessage", kind)
    with pytest.raises(TransportFault) as caught:
        await send(started)
    assert caught.value.kind == kind
    assert started.bot_messages(USER) == []


async def test_applied_fault_loses_the_answer_after_the_effect(started: BotWorld) -> None:
    started.inject_fault("sendMessage", "timeout", applied=True)
    with pytest.raises(TransportFault):
        await send(started, "дубль?")
    assert [m.text for m in started.bot_messages(USER)] == ["дубль?"]


async def test_migrate_fault_migrates_basic_group(started: BotWorld) -> None:
    group = started.add_group(chat_id=-77, title="g")
    started.inject_fault("sendMessage", "migrate", chat_id=-77)
    error = await error_of(started, "sendMessage", chat_id=group.id, text="x")
    new_id = error.parameters["migrate_to_chat_id"]
    assert (await call(started, "sendMessage", chat_id=new_id, text="x"))["chat"]["id"] == new_id


# -- captions, forwarding, copying ----------------------------------------------------------


async def test_caption_limits_and_edits(started: BotWorld) -> None:
    file_id = started.send_media(USER, "document").message.file.file_id  # type: ignore[union-attr]
    error = await error_of(
        started, "sendDocument", chat_id=USER, document=file_id, caption="я" * 1025
    )
    assert error.description == "Bad Request: message caption is too long"
    sent = await call(
        started,
        "sendDocument",
        chat_id=USER,
        document=file_id,
        caption="<i>v1</i>",
        parse_mode="HTML",
    )
    assert sent["caption"] == "v1" and sent["caption_entities"][0]["type"] == "italic"
    edited = await call(started, "editMessageCaption", **of_sent(sent, caption="v2"))
    assert edited["caption"] == "v2"
    text_message = await send(started)
    error = await error_of(
        started, "editMessageCaption", chat_id=USER, message_id=text_message["message_id"]
    )
    assert error.description == "Bad Request: there is no caption in the message to edit"


async def test_missing_file_is_reported_like_telegram(started: BotWorld) -> None:
    error = await error_of(started, "sendDocument", chat_id=USER)
    assert error.description == "Bad Request: there is no document in the request"


async def test_forward_and_copy_messages(started: BotWorld) -> None:
    group = started.add_group(title="Консультанты", type="supergroup")
    original = started.send_text(USER, "Моя заявка")
    forwarded = await call(
        started,
        "forwardMessage",
        chat_id=group.id,
        from_chat_id=USER,
        message_id=original.message_id,
    )
    assert forwarded["text"] == "Моя заявка"
    assert forwarded["forward_origin"]["sender_user"]["id"] == USER
    copied = await call(
        started, "copyMessage", chat_id=group.id, from_chat_id=USER, message_id=original.message_id
    )
    assert [m.text for m in started.bot_messages(group.id)] == ["Моя заявка", "Моя заявка"]
    assert copied == {"message_id": 2}
    error = await error_of(
        started, "forwardMessage", chat_id=group.id, from_chat_id=USER, message_id=99
    )
    assert error.description == "Bad Request: message to forward not found"


async def test_chat_action_is_an_event(started: BotWorld) -> None:
    await call(started, "sendChatAction", chat_id=USER, action="upload_document")
    event = started.events()[-1]
    assert (event.kind, event.chat_id, event.data) == (
        "chat_action",
        USER,
        {"action": "upload_document"},
    )


async def test_user_writing_again_unblocks_the_bot(started: BotWorld) -> None:
    started.block_bot(USER)
    started.send_text(USER, "/start")
    await send(started)
    statuses = [
        u["my_chat_member"]["new_chat_member"]["status"]
        for u in started.pending_updates()
        if "my_chat_member" in u
    ]
    assert statuses == ["kicked", "member"]


async def test_bot_added_back_after_kick(started: BotWorld) -> None:
    group = started.add_group(title="g", members=[USER])
    started.set_bot_in_chat(group.id, present=False)
    started.set_bot_in_chat(group.id, present=True, admin=True)
    transitions = [
        (
            u["my_chat_member"]["old_chat_member"]["status"],
            u["my_chat_member"]["new_chat_member"]["status"],
        )
        for u in started.pending_updates()
    ]
    assert transitions == [("member", "kicked"), ("kicked", "administrator")]
    assert await call(started, "sendMessage", chat_id=group.id, text="снова здесь")


async def test_text_mention_carries_the_full_user_and_unknown_ones_are_dropped(
    started: BotWorld,
) -> None:
    html = f'<a href="tg://user?id={USER}">Анна</a> и <a href="tg://user?id=555">кто-то</a>'
    result = await send(started, html, parse_mode="HTML")
    assert result["text"] == "Анна и кто-то"
    assert result["entities"] == [
        {"type": "text_mention", "offset": 0, "length": 4, "user": started.user_json(USER)}
    ]


async def test_call_log_keeps_params_outcome_and_result(started: BotWorld) -> None:
    started.send_text(USER, "/start")
    delivered = await call(started, "getUpdates")
    await error_of(started, "sendMessage", chat_id=USER, text="")
    updates_call, failed_call = started.calls()
    assert updates_call.to_dict()["result"] == delivered
    assert (failed_call.method, failed_call.ok) == ("sendMessage", False)
    assert failed_call.error == "Bad Request: message text is empty"
    assert failed_call.params == {"chat_id": USER, "text": ""}
