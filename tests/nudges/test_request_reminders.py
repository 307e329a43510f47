"""Owners who leave a request half-filled are told where they stopped and resume there with
their answers kept — at most twice per stopping point; every step that ends the request
ends its reminders."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from bot.domain import NudgeKind
from tests.kit.drivers import Person
from tests.nudges.conftest import HOUR, Reminders
from tests.stories import (
    answer_qualification,
    answer_until_consent,
    answer_until_dept_type,
    answer_until_review,
    give_consent,
)


async def test_an_abandoned_request_is_resumed_at_the_question_with_answers_kept(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Анна")
    await answer_until_dept_type(owner)
    await reminders.after_not_sooner(2 * HOUR, owner)
    reminder = await owner.expect("Вы остановились на вопросе 3 из 5")
    assert "Тип отдела продаж" in reminder.content  # the question's own label
    assert "до конца осталось" in reminder.content
    assert [b.text for b in reminder.buttons] == ["Продолжить заявку", "🔕 Не напоминать"]

    await owner.click("Продолжить заявку", on=reminder)
    await owner.expect("тип отдела продаж")
    await owner.click("Продаёт лидам от маркетинга")
    await owner.click("Маркетинг")
    await owner.click("1")
    await owner.send("розница")
    await owner.expect("Согласие на обработку")
    # The earlier answers were kept: the request went on to the consent, not back to them.
    [(data,)] = await reminders.repo.db.fetchall(
        "SELECT data FROM fsm WHERE user_id = ?", (owner.id,)
    )
    assert json.loads(data)["turnover"] == "3_10"


async def test_at_most_two_reminders_per_stopping_point(reminders: Reminders) -> None:
    owner = await reminders.owner("Борис")
    await answer_until_dept_type(owner)
    await reminders.after(2 * HOUR)
    await owner.expect("Вы остановились на вопросе 3 из 5")
    await reminders.after_not_sooner(4 * HOUR, owner)
    await owner.expect("Вы остановились на вопросе 3 из 5")
    for _ in range(10):
        await reminders.after(12 * HOUR)
    await owner.expect_no_reply()
    assert [r.seq for r in await reminders.sent(owner.id)] == [1, 2]


async def test_an_answer_moves_the_reminder_to_the_next_question(reminders: Reminders) -> None:
    owner = await reminders.owner("Вера")
    await answer_until_dept_type(owner)
    await reminders.after(HOUR)
    await owner.click("Продаёт лидам от маркетинга")  # question 3, an hour later
    await owner.expect("приводит в компанию лидов")
    await reminders.after(HOUR)  # when the reminder about question 3 was due
    await owner.expect_no_reply()
    await reminders.after(HOUR)
    reminder = await owner.expect("Вы остановились на вопросе 4 из 5")
    assert "вопросе 3" not in reminder.content


async def test_a_reminder_at_the_review_says_only_sending_is_left(reminders: Reminders) -> None:
    owner = await reminders.owner("Глеб")
    await answer_until_review(owner)
    await reminders.after(2 * HOUR)
    await owner.expect("заполнена — осталось её отправить")


async def test_a_question_without_a_number_is_named_by_its_label(reminders: Reminders) -> None:
    owner = await reminders.owner("Дина")
    await give_consent(owner)
    await reminders.after(2 * HOUR)
    reminder = await owner.expect("Вы остановились на вопросе «Имя»")
    assert "до конца осталось 5 вопросов" in reminder.content  # name … call time


async def _part_way(
    reminders: Reminders, first_name: str, until: Callable[[Person], Awaitable[object]]
) -> Person:
    """An owner part-way through a request, its reminder pending."""
    owner = await reminders.owner(first_name)
    await until(owner)
    assert [r.kind for r in await reminders.pending(owner.id)] == [NudgeKind.diagnostic]
    return owner


async def test_submitting_cancels_everything_pending(reminders: Reminders) -> None:
    owner = await _part_way(reminders, "Ефим", answer_until_review)
    await owner.click("✅ Отправить")
    await owner.expect("Заявка принята")
    await reminders.nothing_more(owner, 3 * 24 * HOUR)
    # Lessons read after the request bring no reminders either.
    await owner.send("/lessons")
    await owner.expect("Урок 1 из 4")
    assert await reminders.pending(owner.id) == []


async def test_found_not_qualified_cancels_everything_pending(reminders: Reminders) -> None:
    owner = await reminders.owner("Жанна")
    await owner.send("/lessons")
    await answer_qualification(owner, "от 1 до 3 млн ₽")
    await owner.expect("Спасибо за ответы")
    await reminders.nothing_more(owner, 3 * 24 * HOUR)


async def test_declining_consent_ends_the_request_reminders(reminders: Reminders) -> None:
    owner = await reminders.owner("Зоя")
    await answer_until_consent(owner)
    await owner.click("Не даю согласия")
    await reminders.nothing_more(owner, 24 * HOUR)


async def test_cancel_in_the_middle_of_a_request_ends_its_reminders(reminders: Reminders) -> None:
    owner = await _part_way(reminders, "Лиза", answer_until_dept_type)
    await owner.send("/cancel")
    await owner.expect("действие отменено")
    await reminders.nothing_more(owner, 24 * HOUR)
    await owner.send("/diagnostic")  # the answers were kept: the request goes on from there
    await owner.expect("тип отдела продаж")


async def test_lessons_read_in_the_middle_of_a_request_keep_the_request_reminder(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Ирина")
    await answer_until_dept_type(owner)
    await owner.send("/lessons")  # back to the lessons, the request left open
    await owner.expect("Урок 1 из 4")
    assert [r.kind for r in await reminders.pending(owner.id)] == [NudgeKind.diagnostic]
    await reminders.after(2 * HOUR)
    await owner.expect("Вы остановились на вопросе 3 из 5")
    await reminders.after(24 * HOUR)
    said = [m.content for m in await owner.bot_messages()]
    assert not any(text.startswith("Вы остановились на уроке") for text in said)


async def test_a_reminder_no_longer_true_is_dropped_not_sent(reminders: Reminders) -> None:
    """The safety net behind the cancellations: a reminder about lesson 1 that somehow
    stayed pending after the owner moved on to lesson 3 is dropped when it is due."""
    owner = await reminders.owner("Карина")
    await owner.send("/lessons")
    await owner.click("Далее")
    await owner.click("Далее")
    await owner.expect("Урок 3 из 4")
    await reminders.repo.nudges.schedule(owner.id, NudgeKind.lesson, reminders.clock.now(),
                                         {"lesson": 1})
    await reminders.deliver()
    await owner.expect_no_reply()
    [dropped] = [r for r in await reminders.repo.nudges.history(owner.id)
                 if r.status == "dropped"]
    assert dropped.payload == {"lesson": 1}
