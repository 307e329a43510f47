"""User-story drivers on both transports: in-process (Dispatcher fed directly) and HTTP
(a real aiogram polling loop against the emulator server)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.emulator import Emulator
from tests.kit import EmulatorClient, EmulatorSession, Group, HttpWorld, InProcessWorld, WorldDriver


@dataclass
class StoryConfig:
    group_id: int = 0


def lesson(number: int) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[InlineKeyboardButton(text="Оставить заявку", callback_data="apply")]]
    if number < 4:
        rows.insert(0, [InlineKeyboardButton(text="Далее", callback_data=f"lesson:{number + 1}")])
    return f"Урок {number} из 4", InlineKeyboardMarkup(inline_keyboard=rows)


def story_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        text, markup = lesson(1)
        await message.answer(f"<b>{text}</b>", parse_mode="HTML", reply_markup=markup)

    @router.message(Command("export"))
    async def export(message: Message) -> None:
        csv = BufferedInputFile("имя;телефон\nАнна;+7\n".encode(), filename="leads.csv")
        await message.answer_document(csv, caption="Выгрузка")

    @router.message(Command("boom"))
    async def boom(message: Message) -> None:
        raise RuntimeError("handler exploded")

    @router.callback_query(F.data.startswith("lesson:"))
    async def next_lesson(query: CallbackQuery) -> None:
        number = int(query.data.split(":")[1])
        text, markup = lesson(number)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer(f"Урок {number}")

    @router.callback_query(F.data == "apply")
    async def apply(query: CallbackQuery) -> None:
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="📱 Отправить номер", request_contact=True)]],
            resize_keyboard=True,
        )
        await query.message.answer("Поделитесь телефоном", reply_markup=keyboard)
        await query.answer()

    @router.message(F.contact)
    async def contact(message: Message, config: StoryConfig) -> None:
        phone = message.contact.phone_number
        await message.answer(f"Спасибо, {phone}", reply_markup=ReplyKeyboardRemove())
        take = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Взять", callback_data="take")]]
        )
        await message.bot.send_message(
            config.group_id, f"Заявка от {message.from_user.first_name}: {phone}", reply_markup=take
        )

    @router.callback_query(F.data == "take")
    async def take(query: CallbackQuery) -> None:
        await query.message.edit_text(
            f"{query.message.text}\nЗаявку взял {query.from_user.first_name}"
        )
        await query.answer("Заявка ваша")

    @router.message(F.reply_to_message, F.chat.type == "supergroup")
    async def comment(message: Message) -> None:
        await message.reply(f"Комментарий принят: {message.text}")

    @router.callback_query()
    async def stale(query: CallbackQuery) -> None:
        await query.answer("Кнопка устарела", show_alert=True)

    return router


def story_dispatcher() -> Dispatcher:
    dispatcher = Dispatcher()
    dispatcher.include_router(story_router())
    return dispatcher


@pytest.fixture
async def in_process(emulator: Emulator, token: str) -> AsyncIterator[InProcessWorld]:
    config = StoryConfig()
    bot = Bot(token, session=EmulatorSession(emulator))
    async with InProcessWorld(story_dispatcher(), bot, config=config) as driver:
        yield driver


@pytest.fixture
async def over_http(
    client: EmulatorClient, make_bot: Callable[..., Bot]
) -> AsyncIterator[HttpWorld]:
    config = StoryConfig()
    bot = make_bot()
    dispatcher = story_dispatcher()
    driver = HttpWorld(client, bot.id, quiet_period=0.2)
    driver.config = config  # type: ignore[attr-defined]
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1, config=config)
    )
    yield driver
    await dispatcher.stop_polling()
    await polling


@pytest.fixture(params=["in_process", "http"])
def emu(request: pytest.FixtureRequest) -> WorldDriver:
    return request.getfixturevalue("in_process" if request.param == "in_process" else "over_http")


async def consultants(emu: WorldDriver) -> Group:
    group = await emu.group("Консультанты", type="supergroup")
    config = emu.workflow_data["config"] if isinstance(emu, InProcessWorld) else emu.config  # type: ignore[attr-defined]
    config.group_id = group.chat_id
    return group


# -- stories on both transports -------------------------------------------------------------


async def test_owner_walks_through_lessons(emu: WorldDriver) -> None:
    owner = await emu.user("Анна")
    await owner.send("/start")
    first = await owner.expect("Урок 1 из 4")
    assert first.html == "<b>Урок 1 из 4</b>"
    await owner.click("Далее")
    second = await owner.expect("Урок 2 из 4")
    assert second.message_id == first.message_id
    assert second.history[0]["text"] == "Урок 1 из 4"
    assert (await owner.expect_answer("Урок 2"))["show_alert"] is False
    last = await owner.last_bot_message()
    assert last is not None and last.text == "Урок 2 из 4"


async def test_request_reaches_consultants_and_is_taken(emu: WorldDriver) -> None:
    group = await consultants(emu)
    owner = await emu.user("Анна")
    consultant = await emu.member(group, "Ирина")
    await owner.send("/start")
    await owner.expect("Урок 1")
    await owner.click("Оставить заявку")
    await owner.expect("Поделитесь телефоном")
    await owner.click("Отправить номер")  # the reply keyboard's request_contact button
    await owner.expect(f"Спасибо, {owner.phone}")
    request = await consultant.expect(re.compile(r"Заявка от Анна: \+7\d{10}"))
    await consultant.click("Взять", on=request)
    await consultant.expect("Заявку взял Ирина")
    await consultant.expect_answer("Заявка ваша")
    await consultant.reply_to(request, "позвоню завтра")
    reply = await consultant.expect("Комментарий принят: позвоню завтра")
    assert reply.reply_to_message_id is not None


async def test_click_on_older_message(emu: WorldDriver) -> None:
    owner = await emu.user("Анна")
    await owner.send("/start")
    older = await owner.expect("Урок 1 из 4")
    await owner.send("/start")
    newer = await owner.expect("Урок 1 из 4")
    assert newer.message_id != older.message_id
    await owner.click("Далее", on=older)
    edited = await owner.expect("Урок 2 из 4")
    assert edited.message_id == older.message_id
    untouched = [m for m in await owner.bot_messages() if m.message_id == newer.message_id]
    assert untouched[0].text == "Урок 1 из 4"


async def test_forged_callback_data_gets_an_alert(emu: WorldDriver) -> None:
    owner = await emu.user("Анна")
    await owner.send("/start")
    message = await owner.expect("Урок 1")
    await owner.click_data(message, "lesson-from-the-future")
    answer = await owner.expect_answer("Кнопка устарела")
    assert answer["show_alert"] is True


async def test_document_is_downloadable_through_the_driver(emu: WorldDriver) -> None:
    owner = await emu.user("Анна")
    await owner.send("/export")
    export = await owner.expect("Выгрузка")
    assert export.kind == "document" and export.file is not None
    assert export.file["file_name"] == "leads.csv"
    assert (await owner.download(export)).decode() == "имя;телефон\nАнна;+7\n"


async def test_expect_no_reply_passes_when_bot_is_silent(emu: WorldDriver) -> None:
    owner = await emu.user("Анна")
    await owner.send("просто текст")
    await owner.expect_no_reply()


# -- failure messages and in-process specifics ----------------------------------------------


async def test_expect_fails_with_what_the_bot_said(in_process: InProcessWorld) -> None:
    owner = await in_process.user("Анна")
    await owner.send("/start")
    with pytest.raises(AssertionError, match=r"Урок 7.*Урок 1 из 4"):
        await owner.expect("Урок 7", timeout=0.05)


async def test_click_fails_clearly_without_such_button(in_process: InProcessWorld) -> None:
    owner = await in_process.user("Анна")
    await owner.send("/start")
    with pytest.raises(AssertionError, match=r"no button 'Назад'.*Далее"):
        await owner.click("Назад", timeout=0.05)


async def test_expect_no_reply_fails_when_bot_answers(in_process: InProcessWorld) -> None:
    owner = await in_process.user("Анна")
    await owner.send("/start")
    with pytest.raises(AssertionError, match="expected no reply"):
        await owner.expect_no_reply()


async def test_in_process_handler_errors_fail_the_action(in_process: InProcessWorld) -> None:
    owner = await in_process.user("Анна")
    with pytest.raises(RuntimeError, match="handler exploded"):
        await owner.send("/boom")


async def test_in_process_can_collect_handler_errors(emulator: Emulator) -> None:
    async with InProcessWorld(story_dispatcher(), raise_errors=False) as driver:
        owner = await driver.user("Анна")
        await owner.send("/boom")
        assert [str(error) for error in driver.errors] == ["handler exploded"]
        assert driver.world.pending_updates() == []


async def test_in_process_updates_are_handled_before_action_returns(
    in_process: InProcessWorld,
) -> None:
    owner = await in_process.user("Анна")
    await owner.send("/start")
    assert [m.text for m in in_process.world.bot_messages(owner.id)] == ["Урок 1 из 4"]
    assert in_process.world.pending_updates() == []


async def test_outsider_can_forge_a_press_on_a_group_message(emu: WorldDriver) -> None:
    group = await consultants(emu)
    owner = await emu.user("Анна")
    await owner.send("/start")
    await owner.expect("Урок 1")
    await owner.click("Оставить заявку")
    await owner.click("Отправить номер")
    member = await emu.member(group, "Ирина")
    request = await member.expect("Заявка от Анна")
    outsider = (await emu.user("Чужак")).in_chat(group)
    await outsider.click_data(request, "take", allow_non_member=True)
    await outsider.expect("Заявку взял Чужак")
