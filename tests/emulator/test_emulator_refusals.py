"""Telegram's refusals of what a bot sends: lengths after entity parsing, empty texts, keyboards.

Lengths are characters (code points) of the text Telegram keeps, after HTML is parsed and
surrounding whitespace trimmed: 4,096 for a message, 1,024 for a caption (TDLib compares
utf8_length with message_text_length_max / message_caption_length_max). Keyboard refusals are
worded as the Bot API server and TDLib word them.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.emulator import ApiError, BotWorld, call_method

USER = 1001


@pytest.fixture
def started(world: BotWorld) -> BotWorld:
    world.add_user(USER, "Анна", started=True)
    return world


async def refusal(world: BotWorld, method: str, **params: Any) -> str:
    with pytest.raises(ApiError) as caught:
        await call_method(world, method, params)
    assert caught.value.error_code == 400
    return caught.value.description


async def accepted(world: BotWorld, method: str, **params: Any) -> Any:
    return await call_method(world, method, params)


# -- lengths --------------------------------------------------------------------------------


async def test_a_message_is_measured_after_html_parsing_in_characters(started: BotWorld) -> None:
    markup = "<b>" + "😀" * 4096 + "</b>"  # 4,103 characters of HTML, 4,096 of text
    assert len((await accepted(started, "sendMessage", chat_id=USER, text=markup,
                               parse_mode="HTML"))["text"]) == 4096
    assert await refusal(
        started, "sendMessage", chat_id=USER, text="<i>" + "я" * 4097 + "</i>", parse_mode="HTML"
    ) == "Bad Request: message is too long"
    sent = await accepted(started, "sendMessage", chat_id=USER, text="x")
    assert await refusal(
        started, "editMessageText", chat_id=USER, message_id=sent["message_id"], text="я" * 4097
    ) == "Bad Request: message is too long"


async def test_a_caption_over_1024_characters_is_too_long(started: BotWorld) -> None:
    file_id = started.send_media(USER, "photo").message.file.file_id  # type: ignore[union-attr]
    await accepted(started, "sendPhoto", chat_id=USER, photo=file_id, caption="😀" * 1024)
    await accepted(
        started, "sendPhoto", chat_id=USER, photo=file_id,
        caption="<b>" + "я" * 1024 + "</b>", parse_mode="HTML",
    )
    assert await refusal(
        started, "sendPhoto", chat_id=USER, photo=file_id, caption="я" * 1025
    ) == "Bad Request: message caption is too long"
    source = started.send_media(USER, "document")
    assert await refusal(
        started, "copyMessage", chat_id=USER, from_chat_id=USER, message_id=source.message_id,
        caption="я" * 1025,
    ) == "Bad Request: message caption is too long"


@pytest.mark.parametrize("text", ["", " \n\t", "<b> </b>", "<i></i>"])
async def test_a_text_empty_after_parsing_is_refused(started: BotWorld, text: str) -> None:
    assert await refusal(
        started, "sendMessage", chat_id=USER, text=text, parse_mode="HTML"
    ) == "Bad Request: message text is empty"


async def test_a_callback_answer_over_200_characters_is_refused(started: BotWorld) -> None:
    sent = await accepted(started, "sendMessage", chat_id=USER, text="x", reply_markup={
        "inline_keyboard": [[{"text": "Нажми", "callback_data": "a"}]]
    })
    query_id = started.click(USER, USER, sent["message_id"], "a").query_id
    assert await refusal(
        started, "answerCallbackQuery", callback_query_id=query_id, text="я" * 201
    ) == "Bad Request: MESSAGE_TOO_LONG"


# -- keyboards ------------------------------------------------------------------------------


async def test_callback_data_is_limited_to_64_bytes_not_characters(started: BotWorld) -> None:
    fits = {"inline_keyboard": [[{"text": "Да", "callback_data": "ж" * 32}]]}  # 64 bytes
    over = {"inline_keyboard": [[{"text": "Да", "callback_data": "ж" * 32 + "a"}]]}
    await accepted(started, "sendMessage", chat_id=USER, text="x", reply_markup=fits)
    assert await refusal(
        started, "sendMessage", chat_id=USER, text="x", reply_markup=over
    ) == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        (
            {"inline_keyboard": [[{"text": "", "callback_data": "a"}]]},
            "Bad Request: inline keyboard button text must be non-empty",
        ),
        (
            {"inline_keyboard": [[{"text": "Да", "callback_data": ""}]]},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
            "inline keyboard",
        ),
        ({"keyboard": [[""]]}, "Bad Request: keyboard button text must be non-empty"),
        ({"keyboard": [[{"text": ""}]]}, "Bad Request: keyboard button text must be non-empty"),
        ({"keyboard": ["Да"]}, 'Bad Request: field "keyboard" must be an Array of Arrays'),
        ("[]", "Bad Request: object expected as reply markup"),
    ],
)
async def test_malformed_keyboards_are_refused_in_telegrams_words(
    started: BotWorld, markup: Any, description: str
) -> None:
    assert await refusal(
        started, "sendMessage", chat_id=USER, text="x", reply_markup=markup
    ) == description


async def test_a_markup_without_a_keyboard_sends_none_and_an_empty_inline_query_is_one(
    started: BotWorld,
) -> None:
    sent = await accepted(started, "sendMessage", chat_id=USER, text="x", reply_markup={})
    assert "reply_markup" not in sent
    empty_query = {"inline_keyboard": [[{"text": "В чат", "switch_inline_query": ""}]]}
    assert (await accepted(started, "sendMessage", chat_id=USER, text="x",
                           reply_markup=empty_query))["reply_markup"] == empty_query
    long_label = {"inline_keyboard": [[{"text": "Очень " * 40, "callback_data": "a"}]]}
    assert (await accepted(started, "sendMessage", chat_id=USER, text="x",
                           reply_markup=long_label))["reply_markup"] == long_label
