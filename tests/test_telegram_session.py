"""FormSession sends what aiogram's own form sends, encoded faster; files stay multipart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import EditMessageText, SendDocument, SendMessage, TelegramMethod
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MessageEntity,
)
from aiohttp import FormData

from bot.emulator import Emulator, serving
from bot.telegram_session import FORM_CONTENT_TYPE, FormSession

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "42:TEST-session"
OWNER = 1001
# Every character class the encoders treat differently: reserved, percent, plus, controls,
# Cyrillic, an emoji outside the BMP, HTML.
TRICKY = "a&b=c+d %25 ;#?/\\\n\r\t ёЁ 🚀 <b>«x»</b> ' \" ~!*()[]{}|^`@$,:"
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Далее ▶️", callback_data="l:3")],
        [InlineKeyboardButton(text='«Кнопка» & "кавычки"', url="https://example.com/?a=1&b=2")],
    ]
)


def _methods() -> list[TelegramMethod]:
    lesson = (ROOT / "content" / "lessons" / "3.html").read_text(encoding="utf-8")
    return [
        SendMessage(chat_id=123456789, text=lesson, reply_markup=KEYBOARD),
        SendMessage(chat_id=-1001234567890, text=TRICKY, message_thread_id=7),
        SendMessage(
            chat_id=5,
            text="bold",
            parse_mode=None,
            entities=[MessageEntity(type="bold", offset=0, length=4)],
            link_preview_options=LinkPreviewOptions(is_disabled=False, url="https://a.b/?x=ы"),
            disable_notification=False,
        ),
        EditMessageText(chat_id=5, message_id=10, text=TRICKY + "\n\n<i>Ответ:</i> 3–10 млн ₽"),
    ]


def _bot(session: AiohttpSession) -> Bot:
    return Bot(
        TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def _decoded(body: bytes) -> dict[str, object]:
    """Fields of an urlencoded body; JSON objects parsed, so spacing and escapes don't count."""
    fields: dict[str, object] = {}
    for key, value in parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True):
        assert key not in fields, f"{key} sent twice"
        fields[key] = json.loads(value) if value[:1] in "[{" else value
    return fields


@pytest.mark.parametrize("method", _methods(), ids=lambda m: type(m).__name__)
async def test_the_body_carries_exactly_what_aiogram_form_carries(method: TelegramMethod) -> None:
    ours, stock = FormSession(), AiohttpSession()
    payload = ours.build_form_data(_bot(ours), method)
    assert not isinstance(payload, FormData)
    assert payload.content_type == FORM_CONTENT_TYPE
    form = stock.build_form_data(_bot(stock), method)()
    assert form.content_type == FORM_CONTENT_TYPE  # aiogram's form had no file: urlencoded too
    assert _decoded(payload.decode().encode()) == _decoded(form.decode().encode())


def test_objects_go_out_as_compact_utf8_json() -> None:
    session = FormSession()
    method = SendMessage(chat_id=1, text="x", reply_markup=KEYBOARD)
    payload = session.build_form_data(_bot(session), method)
    markup = dict(parse_qsl(payload.decode()))["reply_markup"]
    assert "Далее ▶️" in markup and "\\u" not in markup and ", " not in markup
    assert json.loads(markup) == KEYBOARD.model_dump(exclude_none=True)


def test_a_lone_surrogate_is_dropped_not_raised() -> None:
    session = FormSession()
    payload = session.build_form_data(_bot(session), SendMessage(chat_id=1, text="a\ud800b"))
    assert dict(parse_qsl(payload.decode()))["text"] == "ab"


def test_a_method_with_a_file_keeps_aiogram_multipart_form() -> None:
    session = FormSession()
    method = SendDocument(
        chat_id=1, document=BufferedInputFile(b"a;b\n1;2\n", filename="leads.csv"), caption=TRICKY
    )
    form = session.build_form_data(_bot(session), method)
    assert isinstance(form, FormData)
    assert form().content_type.startswith("multipart/form-data")


@pytest.fixture
async def http_bot() -> AsyncIterator[tuple[Bot, Emulator]]:
    emulator = Emulator()
    async with serving(emulator) as base_url:
        bot = _bot(FormSession(api=TelegramAPIServer.from_base(base_url)))
        try:
            yield bot, emulator
        finally:
            await bot.session.close()


async def test_telegram_receives_tricky_text_and_keyboard_intact(
    http_bot: tuple[Bot, Emulator],
) -> None:
    bot, emulator = http_bot
    world = emulator.world(TOKEN)
    world.add_user(OWNER, "Анна")
    world.send_text(OWNER, "/start")
    sent = await bot.send_message(OWNER, TRICKY.replace("&", "&amp;"), reply_markup=KEYBOARD)
    shown = TRICKY.replace("<b>", "").replace("</b>", "")
    assert sent.text == shown and sent.reply_markup is not None
    assert sent.reply_markup.model_dump(exclude_none=True) == KEYBOARD.model_dump(exclude_none=True)
    assert world.bot_messages(OWNER)[-1].text == shown
    answer = "<i>Ответ:</i> «3–10 млн ₽» + 🚀"
    edited = await bot.edit_message_text(answer, chat_id=OWNER, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "Ответ: «3–10 млн ₽» + 🚀"
