"""Owners decide: «Не напоминать» and /stop end every reminder until /start, which says so;
/privacy tells what is planned and how to stop it; /delete_me takes the reminders along."""

from __future__ import annotations

from tests.kit.drivers import Person
from tests.kit.views import MessageView
from tests.nudges.conftest import HOUR, Reminders
from tests.stories import greeted, open_lesson

DAY = 24 * HOUR


async def stop_at_lesson_1(reminders: Reminders, owner: Person) -> MessageView:
    """The owner opens lesson 1 and goes no further; a day later, the reminder about it."""
    await open_lesson(owner, 1)
    await reminders.after(DAY)
    return await owner.expect("Вы остановились на уроке 1 из 4")


async def test_dont_remind_button_stops_every_reminder_until_start(reminders: Reminders) -> None:
    owner = await reminders.owner("Анна")
    await stop_at_lesson_1(reminders, owner)
    await owner.click("🔕 Не напоминать")
    stopped = await owner.expect("больше не будем напоминать")
    assert "/start" in stopped.content
    assert await reminders.pending(owner.id) == []  # the second one is gone too

    await owner.click("Записаться на диагностику")  # from lesson 1: a request begun…
    await owner.expect("Какой у компании оборот")
    await reminders.nothing_more(owner, 7 * DAY)  # …schedules nothing

    await owner.send("/start")
    await owner.expect("Напоминания снова включены")
    await stop_at_lesson_1(reminders, owner)


async def test_stop_command_does_the_same(reminders: Reminders) -> None:
    owner = await reminders.owner("Борис")
    await owner.send("/lessons")
    await owner.send("/stop")
    await owner.expect("больше не будем напоминать")
    assert await reminders.pending(owner.id) == []
    await owner.click("Далее")
    await owner.expect("Урок 2 из 4")
    await reminders.after(7 * DAY)
    await owner.expect_no_reply()


async def test_start_without_a_stop_says_nothing_about_reminders(reminders: Reminders) -> None:
    owner = await reminders.owner("Вера")
    await greeted(owner)
    assert not any("Напоминания" in m.content for m in await owner.bot_messages())


async def test_privacy_names_the_reminders_and_how_to_stop_them(reminders: Reminders) -> None:
    owner = await reminders.owner("Глеб")
    await owner.send("/lessons")
    await owner.send("/privacy")
    privacy = await owner.expect("Ваши данные")
    assert "напоминания, запланированные или отправленные вам: 1" in privacy.content
    assert "Отключить напоминания — /stop" in privacy.content
    await owner.send("/stop")
    await owner.send("/privacy")
    privacy = await owner.expect("Ваши данные")
    assert "Сейчас напоминания отключены; включить снова — /start" in privacy.content


async def test_erasure_deletes_the_owners_reminders(reminders: Reminders) -> None:
    owner = await reminders.owner("Дина")
    await stop_at_lesson_1(reminders, owner)
    assert len(await reminders.pending(owner.id)) == 1  # the second of the series
    await owner.send("/delete_me")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")
    assert await reminders.repo.nudges.history(owner.id) == []
    # The one that was sent still counts in /stats, pointing to nobody.
    counts = await reminders.repo.nudges.counts()
    assert counts.sent == {"lesson": 1}
    await reminders.after(7 * DAY)
    await owner.expect_no_reply()


async def test_quiet_hours_hold_a_reminder_until_the_morning(reminders: Reminders) -> None:
    reminders.clock.advance(9 * HOUR)  # 21:30 in Moscow: inside the default 21-10
    reminders.clock.advance(30 * 60)
    owner = await reminders.owner("Ефим")
    await owner.send("/diagnostic")
    await owner.click("более 3, до 10 млн ₽")
    [pending] = await reminders.pending(owner.id)
    due = reminders.clock.now() + 2 * HOUR  # 23:30: quiet
    assert pending.due_at > due
    await reminders.after(2 * HOUR)
    await owner.expect_no_reply()
    await reminders.after(10 * HOUR - 60)  # 09:29 — still quiet
    await owner.expect_no_reply()
    await reminders.after(31 * 60)  # 10:00
    await owner.expect("Вы остановились на вопросе 2 из 5")
    sent_at = (await reminders.sent(owner.id))[0].sent_at
    assert sent_at is not None and reminders.local().hour == 10


async def test_a_reminder_late_into_the_night_after_downtime_waits_for_the_morning(
    reminders: Reminders,
) -> None:
    owner = await reminders.owner("Жанна")
    await owner.send("/lessons")  # due tomorrow at 12:00
    reminders.clock.advance(24 * HOUR + 10 * HOUR)  # the bot was down until 22:00
    await reminders.deliver()
    await owner.expect_no_reply()
    [pending] = await reminders.pending(owner.id)
    assert reminders.local().hour == 22 and pending.due_at > reminders.clock.now()
    await reminders.after(12 * HOUR)  # 10:00
    await owner.expect("Вы остановились на уроке 1 из 4")


async def test_empty_quiet_hours_send_at_night(make_reminders: object) -> None:
    reminders: Reminders = await make_reminders(quiet_hours="")  # type: ignore[operator]
    reminders.clock.advance(12 * HOUR)  # midnight
    owner = await reminders.owner("Зоя")
    await owner.send("/diagnostic")
    await owner.click("более 3, до 10 млн ₽")
    await reminders.after(2 * HOUR)  # 02:00
    await owner.expect("Вы остановились на вопросе 2 из 5")
