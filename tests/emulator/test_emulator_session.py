"""EmulatorSession: aiogram's Bot talking to the emulator in-process, no HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)

from bot.emulator import BotWorld, Emulator
from tests.kit import EmulatorSession

USER = 1001


@pytest.fixture
async def local_bot(emulator: Emulator, token: str) -> AsyncIterator[Bot]:
    instance = Bot(token, session=EmulatorSession(emulator))
    yield instance
    await instance.session.close()


@pytest.fixture
def started(world: BotWorld) -> BotWorld:
    world.add_user(USER, "Анна", started=True)
    return world


async def test_in_process_session_returns_real_message_objects(
    local_bot: Bot, started: BotWorld
) -> None:
    sent = await local_bot.send_message(USER, "<i>Привет</i>", parse_mode="HTML")
    assert isinstance(sent, Message)
    assert sent.text == "Привет" and sent.chat.id == USER
    assert sent.entities is not None and sent.entities[0].type == "italic"
    assert sent.bot is local_bot
    edited = await sent.edit_text("Пока")
    assert isinstance(edited, Message) and edited.text == "Пока"
    assert (await local_bot.get_me()).id == started.bot_id


@pytest.mark.parametrize("parse_mode", ["HTML", ParseMode.HTML])
async def test_default_bot_properties_are_applied(
    emulator: Emulator, started: BotWorld, token: str, parse_mode: str
) -> None:
    bot = Bot(
        token,
        session=EmulatorSession(emulator),
        default=DefaultBotProperties(parse_mode=parse_mode, link_preview_is_disabled=True),
    )
    sent = await bot.send_message(USER, "<b>жирный</b>")
    assert sent.text == "жирный"
    params = started.calls("sendMessage")[0].params
    assert type(params["parse_mode"]) is str and params["parse_mode"] == "HTML"
    assert params["link_preview_options"] == {"is_disabled": True}


@pytest.mark.parametrize(
    ("setup", "exception", "match"),
    [
        (lambda w: None, TelegramBadRequest, "chat not found"),
        (lambda w: w.add_user(7, "Б"), TelegramForbiddenError, "can't initiate conversation"),
        (lambda w: w.inject_fault("sendMessage", "429", retry_after=5), TelegramRetryAfter, "5"),
    ],
)
async def test_in_process_errors_are_real_aiogram_exceptions(
    local_bot: Bot,
    world: BotWorld,
    setup: Callable[[BotWorld], object],
    exception: type[Exception],
    match: str,
) -> None:
    setup(world)
    with pytest.raises(exception, match=match):
        await local_bot.send_message(7, "x")


async def test_in_process_migration_error(local_bot: Bot, started: BotWorld) -> None:
    group = started.add_group(chat_id=-91, title="g")
    new_id = started.migrate_group(group.id)
    with pytest.raises(TelegramMigrateToChat) as caught:
        await local_bot.send_message(group.id, "x")
    assert caught.value.migrate_to_chat_id == new_id


@pytest.mark.parametrize("kind", ["timeout", "network"])
async def test_in_process_transport_faults_are_network_errors(
    local_bot: Bot, started: BotWorld, kind: str
) -> None:
    started.inject_fault("sendMessage", kind)
    with pytest.raises(TelegramNetworkError):
        await local_bot.send_message(USER, "x")


async def test_unknown_method_and_foreign_token(emulator: Emulator, local_bot: Bot) -> None:
    class Telepathy(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "sendTelepathy"

    with pytest.raises(TelegramNotFound):
        await local_bot(Telepathy())
    await local_bot.get_me()
    impostor = Bot("123456:other-secret", session=EmulatorSession(emulator))
    with pytest.raises(TelegramUnauthorizedError):
        await impostor.get_me()


async def test_in_process_upload_and_download(local_bot: Bot, started: BotWorld) -> None:
    data = b"id;name\n1;Anna\n"
    sent = await local_bot.send_document(USER, BufferedInputFile(data, filename="report.csv"))
    assert sent.document is not None and sent.document.file_name == "report.csv"
    assert started.bot_messages(USER)[0].file.data == data  # type: ignore[union-attr]
    downloaded = await local_bot.download(sent.document.file_id)
    assert downloaded is not None and downloaded.read() == data


async def test_in_process_and_http_transports_see_the_same_params(
    local_bot: Bot, bot: Bot, started: BotWorld
) -> None:
    """Both transports must hand the emulator identical, identically-decoded parameters."""
    original = started.send_text(USER, "вопрос")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]]
    )

    async def send(through: Bot) -> None:
        await through.send_message(
            USER,
            "ответ",
            reply_markup=markup,
            reply_parameters=ReplyParameters(message_id=original.message_id),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            disable_notification=True,
        )

    await send(local_bot)
    await send(bot)
    in_process, over_http = (call.params for call in started.calls("sendMessage"))
    assert in_process == over_http
    assert in_process["reply_markup"] == markup.model_dump(exclude_none=True)
    assert in_process["disable_notification"] is True
