"""An owner books the diagnostic in the bot: free days, then times, the confirmation with
what to prepare and an .ics file; /booking shows and changes it; «Другое время» keeps the
call-time path. The clock stands still on Monday 7 December 2026, 09:00 (Moscow)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bot.db.repos import Repositories
from bot.domain import BookingState, LeadStatus
from tests.booking.clock import FrozenClock, at
from tests.booking.conftest import RecordingSchedule
from tests.booking.owner import (
    book,
    cancel_without_reason,
    labels,
    request_and_book,
    reschedule,
    submit_request,
)
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.stories import answer_until_review


async def test_a_qualified_owner_books_a_free_time_and_gets_a_confirmation_and_a_calendar_file(
    owner: Person, repo: Repositories
) -> None:
    days = await submit_request(owner)
    said = [m.content for m in await owner.bot_messages()]
    assert not any("Когда вам удобно" in text for text in said)  # the calendar asks instead
    assert "60 минут, время — по Москве" in days.content
    assert labels(days) == [
        "пн, 7 декабря", "вт, 8 декабря", "ср, 9 декабря", "чт, 10 декабря", "пт, 11 декабря",
        "пн, 14 декабря", "вт, 15 декабря", "ср, 16 декабря", "🕐 Другое время",
    ]  # ten days from today; the weekends have no hours
    await owner.click("пн, 7 декабря")
    today = await owner.expect("Понедельник, 7 декабря")
    assert labels(today)[:6] == ["12:00", "13:00", "14:00", "15:00", "16:00", "17:00"]  # 3 h notice
    await owner.click("◀️ Другой день")
    await owner.expect("Выберите день диагностики")

    confirmation = await book(owner, "чт, 10 декабря", "14:00")
    text = confirmation.content
    assert "четверг, 10 декабря, 14:00–15:00 (по Москве)" in text
    assert "60 минут" in text
    assert "розница, дилеры" in text and "по вашему ответу — Маркетинг" in text
    for part in ("Технология продажи", "компетентные сотрудники", "профессиональное управление"):
        assert part.lower() in text.lower()
    assert labels(confirmation) == ["🔁 Перенести", "✖️ Отменить"]

    document = (await owner.bot_messages())[-1]
    assert document.file is not None and document.file["file_name"] == "diagnostika-2026-12-10.ics"
    calendar = icalendar.Calendar.from_ical(await owner.download(document))
    [event] = calendar.walk("VEVENT")
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 10, 11, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC)
    assert str(event["SUMMARY"]) == "Бесплатная диагностика отдела продаж"
    assert event["UID"].startswith("booking-") and event.walk("VALARM")

    lead = await repo.leads.for_user(owner.id)
    assert lead is not None and lead.status == LeadStatus.scheduled
    booking = await repo.bookings.active_for_lead(lead.id)
    assert booking is not None and booking.starts_at == at("2026-12-10 14:00")
    [entry] = await repo.pipeline.history(lead.id)
    assert (entry.from_status, entry.to_status, entry.event) == ("new", "scheduled", "booked")
    assert entry.slot_at == booking.starts_at


@pytest.mark.parametrize("settings", [{"diagnostic_hours": ""}], indirect=True)
async def test_with_booking_off_the_call_time_question_is_asked_as_before(
    owner: Person, repo: Repositories
) -> None:
    await answer_until_review(owner)  # «Когда вам удобно» → «Утром, 9–12»
    await owner.click("✅ Отправить")
    await owner.expect("вы просили: Утром, 9–12")
    await owner.expect("Предварительный чек-лист")
    said = [m.content for m in await owner.bot_messages()]
    assert not any("Выберите день" in text for text in said)
    await owner.send("/booking")
    await owner.expect("Запись на диагностику через бота сейчас не работает")


async def test_other_time_keeps_the_free_text_call_time(
    owner: Person, repo: Repositories
) -> None:
    await submit_request(owner)
    await owner.click("🕐 Другое время")
    await owner.expect("Когда вам удобно принять звонок")
    await owner.send("вторник после 15:00")
    await owner.expect("Консультант позвонит, чтобы договориться о диагностике: вторник после 15:00")
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None and lead.call_time == "вторник после 15:00"
    assert lead.status == LeadStatus.new and await repo.bookings.latest_for_lead(lead.id) is None
    # A button works too, and the days stay on offer: /booking books after all.
    await owner.send("/booking")
    await owner.expect("Выберите день диагностики")
    await owner.click("🕐 Другое время")
    await owner.click("Утром, 9–12")
    await owner.expect("Консультант позвонит, чтобы договориться о диагностике: Утром, 9–12")


async def test_a_time_taken_meanwhile_says_so_and_shows_the_free_times_again(
    world: InProcessWorld, repo: Repositories
) -> None:
    anna, boris = await world.user("Анна"), await world.user("Борис")
    await submit_request(anna)
    await submit_request(boris, company="АО «Василёк»")
    await anna.click("чт, 10 декабря")
    times = await anna.expect("свободное время")
    await book(boris, "чт, 10 декабря", "14:00")
    await anna.click("14:00", on=times)
    await anna.expect_answer("Это время только что заняли")
    again = await anna.expect("Это время только что заняли — вот ближайшее свободное")
    assert "14:00" not in labels(again) and "15:00" in labels(again)
    anna_lead = await repo.leads.for_user(anna.id)
    assert anna_lead is not None and await repo.bookings.active_for_lead(anna_lead.id) is None
    await anna.click("15:00")
    await anna.expect("Вы записаны на диагностику")


async def test_a_time_that_passed_meanwhile_is_refused_with_fresh_times(
    owner: Person, clock: FrozenClock
) -> None:
    await submit_request(owner)
    await owner.click("пн, 7 декабря")
    times = await owner.expect("свободное время")
    clock.set_to(at("2026-12-07 10:30"))  # 12:00 and 13:00 are now less than 3 hours ahead
    await owner.click("12:00", on=times)
    await owner.expect_answer("Это время уже недоступно")
    again = await owner.expect("Это время уже недоступно")
    assert labels(again)[0] == "14:00"


async def test_rescheduling_frees_the_old_slot(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner, other = await world.user("Анна"), await world.user("Борис")
    await request_and_book(owner, "чт, 10 декабря", "14:00")
    await owner.click("🔁 Перенести")
    days = await owner.expect("Перенос записи")
    assert "четверг, 10 декабря, 14:00–15:00" in days.content
    assert "🕐 Другое время" not in labels(days)
    await owner.click("пт, 11 декабря")
    await owner.expect("свободное время")
    await owner.click("10:00")
    moved = await owner.expect("Запись перенесена")
    assert "пятница, 11 декабря, 10:00–11:00" in moved.content

    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    rows = await repo.db.fetchall(
        "SELECT state, starts_at FROM bookings WHERE lead_id = ? ORDER BY id", (lead.id,)
    )
    assert [tuple(r) for r in rows] == [
        ("moved", at("2026-12-10 14:00")), ("active", at("2026-12-11 10:00"))
    ]
    assert [h.event for h in await repo.pipeline.history(lead.id)] == ["booked", "moved"]
    await submit_request(other, company="АО «Василёк»")
    await other.click("чт, 10 декабря")
    assert "14:00" in labels(await other.expect("свободное время"))  # free again


async def test_cancelling_asks_for_an_optional_reason_and_frees_the_slot(
    owner: Person, repo: Repositories
) -> None:
    await request_and_book(owner, "чт, 10 декабря", "14:00")
    await owner.send("/booking")
    await owner.expect("Ваша запись на диагностику")
    await owner.click("✖️ Отменить")
    prompt = await owner.expect("Отменить запись")
    assert labels(prompt) == ["Отменить без причины", "◀️ Не отменять"]
    await owner.click("◀️ Не отменять")
    await owner.expect("Запись сохранена")
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None and await repo.bookings.active_for_lead(lead.id) is not None

    await owner.send("/booking")
    await owner.click("✖️ Отменить")
    await owner.expect("напишите одним сообщением")
    await owner.send("Уезжаю в командировку")
    await owner.expect("Запись отменена")
    booking = await repo.bookings.latest_for_lead(lead.id)
    assert booking is not None and booking.state == BookingState.cancelled
    assert booking.reason == "Уезжаю в командировку"
    lead = await repo.leads.get(lead.id)
    assert lead is not None and lead.status == LeadStatus.new  # back where it was
    history = await repo.pipeline.history(lead.id)
    assert (history[-1].event, history[-1].reason) == ("cancelled", "Уезжаю в командировку")
    await owner.send("/booking")  # free again, for them too
    await owner.click("чт, 10 декабря")
    assert "14:00" in labels(await owner.expect("свободное время"))
    await owner.send("/privacy")  # what is kept of it is said, and /delete_me erases it
    await owner.expect("записи на диагностику (время, отмена и её причина)")


async def test_cancelling_without_a_reason(owner: Person, repo: Repositories) -> None:
    await request_and_book(owner, "чт, 10 декабря", "14:00")
    await cancel_without_reason(owner)
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    booking = await repo.bookings.latest_for_lead(lead.id)
    assert booking is not None and booking.state == BookingState.cancelled and booking.reason is None


async def test_confirming_is_recorded_and_shown(owner: Person, repo: Repositories) -> None:
    await request_and_book(owner, "чт, 10 декабря", "14:00")
    await owner.send("/booking")
    await owner.click("✅ Подтверждаю")
    await owner.expect_answer("Спасибо, ждём вас")
    await owner.expect("Ждём вас: четверг, 10 декабря, 14:00–15:00")
    await owner.send("/booking")
    await owner.expect("Вы подтвердили участие")


async def test_buttons_of_an_old_booking_or_someone_elses_change_nothing(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner, stranger = await world.user("Анна"), await world.user("Борис")
    confirmation = await request_and_book(owner, "чт, 10 декабря", "14:00")
    await reschedule(owner, "пт, 11 декабря", "10:00", on=confirmation)
    await owner.click("✖️ Отменить", on=confirmation)  # the first booking's buttons
    await owner.expect_answer("Эта кнопка устарела")

    await submit_request(stranger, company="АО «Василёк»")
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    booking = await repo.bookings.active_for_lead(lead.id)
    assert booking is not None
    mine = await stranger.last_bot_message()
    assert mine is not None
    for data in (f"bk:n:{booking.id}", f"bk:c:{booking.id}", f"bd:20261214:{booking.id}",
                 f"bt:{int(at('2026-12-14 12:00'))}:{booking.id}"):
        await stranger.click_data(mine, data)
        await stranger.expect_answer()
    booking_after = await repo.bookings.get(booking.id)
    assert booking_after == booking  # not cancelled, confirmed or moved by someone else


async def test_forged_times_and_a_second_press_are_refused(
    owner: Person, repo: Repositories
) -> None:
    days = await submit_request(owner)
    off_grid = int(at("2026-12-10 14:30"))
    saturday = int(at("2026-12-12 12:00"))
    for start in (off_grid, saturday):
        await owner.click_data(days, f"bt:{start}:0")
        await owner.expect_answer("Это время закрыто")
    await owner.click_data(days, "bt:0x10:0")  # parses as a number, never sent by the bot
    await owner.expect_answer("Эта кнопка устарела")
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None and await repo.bookings.latest_for_lead(lead.id) is None
    await owner.click("чт, 10 декабря")
    times = await owner.expect("свободное время")
    await owner.click("14:00", on=times)
    await owner.expect("Вы записаны")
    [later] = [b.callback_data for b in times.buttons if b.text == "15:00"]
    assert later is not None
    await owner.click_data(times, later)  # the keyboard as it was, pressed again
    await owner.expect_answer("Вы уже записаны")


async def test_booking_command_without_a_request_or_for_a_closed_lead(
    owner: Person, repo: Repositories
) -> None:
    await owner.send("/booking")
    await owner.expect("сначала оставьте заявку")
    await submit_request(owner)
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    await repo.db.write("UPDATE leads SET status = 'lost' WHERE id = ?", (lead.id,))
    await owner.send("/booking")
    await owner.expect("Сейчас у вашей заявки статус «отказ»")


async def test_reminders_are_planned_in_the_transaction_that_books_moves_and_cancels(
    owner: Person, repo: Repositories, reminders: RecordingSchedule
) -> None:
    await request_and_book(owner, "чт, 10 декабря", "14:00")
    start = int(at("2026-12-10 14:00"))
    [booked] = reminders.calls
    assert booked.in_unit and booked.state == "active"
    assert [(r.kind, r.due_at, r.to, r.quiet_hours) for r in booked.reminders] == [
        ("booking_24h", start - 86400, "owner", True),
        ("booking_1h", start - 3600, "owner", False),
        ("booking_group_15m", start - 900, "group", False),
    ]
    # Today: too soon for a reminder a day before.
    await reschedule(owner, "пн, 7 декабря", "17:00")
    new, old = reminders.calls[1:]
    assert (old.booking_id, old.reminders, old.state) == (booked.booking_id, [], "moved")
    assert [r.kind for r in new.reminders] == ["booking_1h", "booking_group_15m"]
    await cancel_without_reason(owner)
    last = reminders.calls[-1]
    assert (last.booking_id, last.reminders, last.state, last.in_unit) == (
        new.booking_id, [], "cancelled", True
    )


async def test_a_reschedule_onto_a_time_taken_meanwhile_keeps_the_booking_it_had(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner, other = await world.user("Анна"), await world.user("Борис")
    await request_and_book(owner, "чт, 10 декабря", "14:00")
    await submit_request(other, company="АО «Василёк»")
    await owner.click("🔁 Перенести")
    await owner.click("пт, 11 декабря")
    times = await owner.expect("свободное время")
    await book(other, "пт, 11 декабря", "10:00")
    await owner.click("10:00", on=times)
    await owner.expect_answer("Это время только что заняли")

    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    active = await repo.bookings.active_for_lead(lead.id)
    assert active is not None and active.starts_at == at("2026-12-10 14:00")
    await owner.send("/booking")
    await owner.expect("Ваша запись на диагностику")
