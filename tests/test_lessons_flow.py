"""Owners read the four lessons: greeting, Next/Back, resume, old buttons, hints."""

from __future__ import annotations

from bot.db.repos import Repositories
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.stories import greeted, open_lesson, start_the_lessons


async def test_start_greets_and_offers_lessons_and_diagnostic(owner: Person) -> None:
    greeting = await greeted(owner)
    assert [b.text for b in greeting.buttons] == ["Начать обучение", "Записаться на диагностику"]


async def test_owner_walks_four_lessons_and_gets_the_call_to_action(owner: Person) -> None:
    await start_the_lessons(owner)
    for n in (2, 3, 4):
        await owner.click("Далее")
        await owner.expect(f"Урок {n} из 4")
    lesson4 = await owner.last_bot_message()
    assert lesson4 is not None and lesson4.button("Далее") is None
    await owner.click("Завершить обучение")
    final = await owner.expect("бесплатная диагностика")
    assert "более 3 млн ₽" in final.content
    assert final.button("Записаться на диагностику") is not None
    assert final.button("Поделиться с друзьями") is not None


async def test_back_returns_to_the_previous_lesson(world: InProcessWorld) -> None:
    owner = await world.user("Борис")
    await open_lesson(owner, 2)
    await owner.click("Назад")
    await owner.expect("Урок 1 из 4")


async def test_paging_back_and_forth_turns_one_message_instead_of_adding_copies(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Борис")
    lesson2 = await open_lesson(owner, 2)
    count = len(await owner.bot_messages())

    for _ in range(3):
        await owner.click("Назад", on=lesson2)
        back = await owner.expect("Урок 1 из 4")
        assert back.message_id == lesson2.message_id  # the same message, edited in place
        await owner.click("Далее", on=back)
        forward = await owner.expect("Урок 2 из 4")
        assert forward.message_id == lesson2.message_id

    assert len(await owner.bot_messages()) == count  # the chat did not grow
    await owner.click("Назад", on=lesson2)
    await owner.expect("Урок 1 из 4")
    user = await repo.users.get(owner.id)
    assert user is not None and user.lesson == 1  # progress follows the page shown


async def test_lessons_command_resumes_where_the_owner_stopped(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Вера")
    await open_lesson(owner, 3)
    await owner.send("/cancel")
    await owner.send("/lessons")
    await owner.expect("Урок 3 из 4")
    user = await repo.users.get(owner.id)
    assert user is not None and user.lesson == 3


async def test_start_again_offers_to_resume_without_a_second_greeting(
    world: InProcessWorld,
) -> None:
    owner = await world.user("Глеб")
    await start_the_lessons(owner)
    await owner.click("Далее")
    await owner.send("/start")
    back = await owner.expect("С возвращением")
    assert back.button("Продолжить с урока 2") is not None
    greetings = [m for m in await owner.bot_messages() if "Здравствуйте" in m.content]
    assert len(greetings) == 1
    await owner.click("Продолжить с урока 2")
    await owner.expect("Урок 2 из 4")


async def test_button_on_an_old_message_still_works(world: InProcessWorld) -> None:
    owner = await world.user("Дина")
    first = await open_lesson(owner, 1)
    await owner.click("Далее")
    await owner.click("Далее")
    await owner.expect("Урок 3 из 4")
    await owner.click("Далее", on=first)
    await owner.expect("Урок 2 из 4")


async def test_forged_lesson_index_is_refused_with_an_alert(world: InProcessWorld) -> None:
    owner = await world.user("Ефим")
    lesson = await open_lesson(owner, 1)
    for data in ("ls:99", "ls:-1", "ls:0", "ls:abc", "zz:1", "ls:" + "9" * 60):
        await owner.click_data(lesson, data)
        answer = await owner.expect_answer()
        assert answer.get("show_alert") is True
    assert (await owner.last_bot_message()).message_id == lesson.message_id  # type: ignore[union-attr]


async def test_unexpected_input_while_reading_gets_a_hint_and_keeps_the_lesson(
    world: InProcessWorld,
) -> None:
    owner = await world.user("Жанна")
    await open_lesson(owner, 2)
    for kind in ("sticker", "photo", "voice"):
        await owner.send_media(kind)
        hint = await owner.expect("")
        assert hint.button("Далее") is not None and hint.button("Назад") is not None
    await owner.send("привет, а что дальше?")
    hint = await owner.expect("")
    assert hint.button("Далее") is not None
    await owner.click("Далее", on=hint)
    await owner.expect("Урок 3 из 4")


async def test_unknown_command_and_text_outside_a_flow_get_the_menu(world: InProcessWorld) -> None:
    owner = await world.user("Зоя")
    await owner.send("/whatever")
    hint = await owner.expect("")
    assert hint.button("Начать обучение") is not None
    await owner.send_media("sticker")
    hint = await owner.expect("")
    assert hint.button("Записаться на диагностику") is not None


async def test_help_lists_the_commands(world: InProcessWorld) -> None:
    owner = await world.user("Иван")
    await owner.send("/help")
    help_text = await owner.expect("/lessons")
    for command in ("/diagnostic", "/privacy", "/delete_me", "/cancel"):
        assert command in help_text.content


async def test_hostile_first_name_is_escaped_in_the_greeting(world: InProcessWorld) -> None:
    owner = await world.user('<b>Злой</b> & "Ко"')
    await owner.send("/start")
    greeting = await owner.expect("Здравствуйте")
    assert '<b>Злой</b> & "Ко"' in greeting.content
    assert "&lt;b&gt;Злой&lt;/b&gt; &amp;" in (greeting.html or "")
