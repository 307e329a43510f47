"""Owners who stop in the lessons are reminded, at most twice, and never about a lesson they
already opened; owners who finish the lessons are offered the diagnostic once; with the daily
pace the next lesson comes by itself."""

from __future__ import annotations

from typing import Any

from bot.domain import NudgeKind
from tests.nudges.conftest import HOUR, Reminders
from tests.stories import open_lesson, start_the_lessons

DAY = 24 * HOUR


async def test_an_owner_who_stopped_after_lesson_1_is_reminded_a_day_later(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Анна")
    await start_the_lessons(owner)

    await reminders.after_not_sooner(DAY, owner)
    reminder = await owner.expect("Вы остановились на уроке 1 из 4")
    assert "Любой бизнес работает на рынке" in reminder.content  # lesson 2's title
    assert [b.text for b in reminder.buttons] == ["Открыть урок 2", "🔕 Не напоминать"]

    await owner.click("Открыть урок 2", on=reminder)
    await owner.expect("Урок 2 из 4")
    row = await reminders.repo.users.get(owner.id)
    assert row is not None and row.lesson == 2
    [sent] = await reminders.sent(owner.id)
    assert sent.kind == NudgeKind.lesson and sent.seq == 1


async def test_at_most_two_lesson_reminders_the_second_after_twice_the_delay(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Борис")
    await open_lesson(owner, 2)

    await reminders.after(DAY)
    await owner.expect("Вы остановились на уроке 2 из 4")
    await reminders.after_not_sooner(2 * DAY, owner)
    second = await owner.expect("Курс ждёт вас на уроке 3 из 4")
    assert second.button("Открыть урок 3") is not None
    for _ in range(7):
        await reminders.after(DAY)
    await owner.expect_no_reply()
    assert [r.seq for r in await reminders.sent(owner.id)] == [1, 2]
    assert await reminders.pending(owner.id) == []


async def test_opening_the_next_lesson_cancels_the_reminder_about_it(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Вера")
    await owner.send("/lessons")
    await reminders.after(DAY - HOUR)
    await owner.click("Далее")  # lesson 2, an hour before the reminder about it
    await owner.expect("Урок 2 из 4")
    [pending] = await reminders.pending(owner.id)
    assert (pending.kind, pending.payload) == (NudgeKind.lesson, {"lesson": 2})

    await reminders.after(HOUR)  # when the reminder about lesson 2 would have gone
    await owner.expect_no_reply()
    await reminders.after(DAY - HOUR)  # a day after lesson 2: the reminder about lesson 3
    await owner.expect("Вы остановились на уроке 2 из 4")
    assert all("уроке 1" not in m.content for m in await owner.bot_messages())


async def test_paging_back_and_forth_keeps_one_reminder_about_where_the_owner_is(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Глеб")
    lesson2 = await open_lesson(owner, 2)
    await owner.click("Назад", on=lesson2)
    await owner.expect("Урок 1 из 4")
    [pending] = await reminders.pending(owner.id)
    assert pending.payload == {"lesson": 1}


async def test_lessons_finished_bring_one_offer_of_the_diagnostic(reminders: Reminders) -> None:
    owner = await reminders.owner("Дина")
    await open_lesson(owner, 4)
    await owner.click("Завершить обучение")
    await owner.expect("Курс пройден")
    [pending] = await reminders.pending(owner.id)
    assert pending.kind == NudgeKind.offer

    await reminders.after_not_sooner(48 * HOUR, owner)
    offer = await owner.expect("бесплатная диагностика отдела продаж")
    assert "более 3 млн ₽ в месяц" in offer.content and "более 3 лет" in offer.content
    assert [b.text for b in offer.buttons] == ["Записаться на диагностику", "🔕 Не напоминать"]
    for _ in range(5):
        await reminders.after(DAY)
    await owner.expect_no_reply()  # one offer, not a series

    await owner.click("Записаться на диагностику", on=offer)
    await owner.expect("Какой у компании оборот")


async def test_reading_the_last_lesson_counts_as_finishing_for_the_offer(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Ефим")
    await open_lesson(owner, 4)
    [pending] = await reminders.pending(owner.id)
    assert pending.kind == NudgeKind.offer  # no «lesson 5» reminder


async def test_starting_the_request_cancels_the_offer_and_the_lesson_reminders(
    reminders: Reminders,
) -> None:
    early = await reminders.owner("Жанна")
    await early.send("/lessons")
    await early.click("Записаться на диагностику")  # from lesson 1
    await early.expect("Какой у компании оборот")
    finished = await reminders.owner("Зоя")
    await open_lesson(finished, 4)
    await finished.click("Завершить обучение")
    await finished.click("Записаться на диагностику")
    await finished.expect("Какой у компании оборот")

    for owner in (early, finished):
        assert [r.kind for r in await reminders.pending(owner.id)] == [NudgeKind.diagnostic]
    await reminders.after(2 * HOUR)
    for owner in (early, finished):
        await owner.expect("Вы остановились на вопросе 1 из 5")
    await reminders.after(4 * DAY)
    for owner in (early, finished):
        said = [m.content for m in await owner.bot_messages()]
        assert not any("Вы остановились на уроке" in text for text in said)
        assert not any(text.startswith("Вы прошли курс") for text in said)


async def test_a_delay_of_0_turns_that_reminder_off(make_reminders: Any) -> None:
    reminders: Reminders = await make_reminders(lesson_nudge_after="0")
    owner = await reminders.owner("Ирина")
    await open_lesson(owner, 1)
    await reminders.nothing_more(owner, 7 * DAY)


async def test_the_daily_pace_sends_the_next_lesson_a_day_after_the_previous_was_opened(
    make_reminders: Any,
) -> None:
    reminders: Reminders = await make_reminders(lessons_pace="daily")
    owner = await reminders.owner("Карина")
    await start_the_lessons(owner)

    await reminders.after_not_sooner(DAY, owner)
    lesson2 = await owner.expect("Урок 2 из 4")
    assert [b.text for b in lesson2.buttons] == [
        "◀️ Назад", "Далее ▶️", "Записаться на диагностику", "🔕 Не напоминать"
    ]
    row = await reminders.repo.users.get(owner.id)
    assert row is not None and row.lesson == 2  # the lesson that came is the owner's progress

    # «Далее» still works at once; the next lesson then comes a day after that one.
    await reminders.after(HOUR)
    await owner.click("Далее", on=lesson2)
    await owner.expect("Урок 3 из 4")
    await reminders.after_not_sooner(DAY, owner)
    await owner.expect("Урок 4 из 4")
    [pending] = await reminders.pending(owner.id)
    assert pending.kind == NudgeKind.offer  # after the last lesson: the offer, no lesson 5
    await reminders.after(DAY)
    await owner.expect_no_reply()
    await reminders.after(DAY)
    await owner.expect("бесплатная диагностика отдела продаж")
    steps = await reminders.repo.db.fetchall(
        "SELECT kind FROM events WHERE user_id = ? ORDER BY id", (owner.id,)
    )
    kinds = [row[0] for row in steps]
    assert kinds.count("nudge_daily_lesson") == 2 and kinds.count("nudge_offer") == 1
    assert [k for k in kinds if k.startswith("lesson_")] == [
        "lesson_1", "lesson_2", "lesson_3", "lesson_4"
    ]
