"""Consultants and booked diagnostics: the card shows the booked time and follows a
reschedule or cancel (with a notice under it); the history records booking, reschedule,
cancel, held and no-show; «Не пришёл»; /agenda; /busy and /free; /stats. The clock stands
still on Monday 7 December 2026, 09:00 (Moscow)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import BookingState, LeadStatus
from tests.booking.clock import FrozenClock, at
from tests.booking.conftest import BOOKING, MONDAY_9AM
from tests.booking.owner import book, labels, request_and_book, reschedule, submit_request
from tests.consultants.office import Office, lead_draft, open_office
from tests.consultants.test_erasure import delete_me, now_shows
from tests.kit.drivers import Person
from tests.kit.views import MessageView


@pytest.fixture
async def office(db_path: Path) -> AsyncIterator[Office]:
    async with open_office(db_path, clock=FrozenClock(MONDAY_9AM), **BOOKING) as opened:
        yield opened


async def booked_owner(office: Office, name: str = "Ольга", company: str = "ООО «Ромашка»",
                       day: str = "чт, 10 декабря", time: str = "14:00") -> tuple[Person, int]:
    owner = await office.world.user(name)
    await request_and_book(owner, day, time, company=company)
    lead = await office.repo.leads.for_user(owner.id)
    assert lead is not None
    return owner, lead.id


async def settled_card(office: Office, lead_id: int) -> MessageView:
    await office.idle()
    return await office.card(lead_id)


def notices(office: Office) -> list[str]:
    """The group's short notices under cards (not the cards), without their emoji."""
    found = [m.content.partition(" ")[2] for m in office.group_bot_messages()]
    return [text for text in found if re.match(r"Заявка №\d+: ", text)]


async def test_the_card_shows_the_booked_time_and_follows_a_reschedule_and_a_cancel(
    office: Office,
) -> None:
    owner = await office.world.user("Ольга")
    await submit_request(owner)
    lead = await office.repo.leads.for_user(owner.id)
    assert lead is not None
    card = await settled_card(office, lead.id)
    assert "Диагностика: время в календаре ещё не выбрано" in card.content

    await book(owner, "чт, 10 декабря", "14:00")
    card = await settled_card(office, lead.id)
    assert f"Заявка №{lead.id} — диагностика назначена" in card.content
    assert "Диагностика: 📅 четверг, 10 декабря, 14:00–15:00 (по Москве)" in card.content
    assert labels(card) == [
        "✋ Взять в работу", "✅ Диагностика проведена", "🚫 Не пришёл", "✖️ Отказ",
        "↩️ Вернуть в новые",
    ]
    assert f"Заявка №{lead.id}: владелец записался на диагностику — четверг, 10 декабря, " \
           "14:00–15:00 (по Москве)." in notices(office)

    await reschedule(owner, "пт, 11 декабря", "10:00")
    card = await settled_card(office, lead.id)
    assert "Диагностика: 📅 пятница, 11 декабря, 10:00–11:00" in card.content
    assert any("перенёс диагностику, теперь — пятница, 11 декабря" in n for n in notices(office))

    await owner.send("/booking")
    await owner.click("✅ Подтверждаю")
    await owner.expect("Ждём вас")
    card = await settled_card(office, lead.id)
    assert "10:00–11:00 (по Москве) · подтвердил ✅" in card.content

    await owner.send("/booking")
    await owner.click("✖️ Отменить")
    await owner.send("Заболел")
    await owner.expect("Запись отменена")
    card = await settled_card(office, lead.id)
    assert "🆕 Новая заявка" in card.content
    assert "Диагностика: запись отменена (пятница, 11 декабря, 10:00–11:00) — «Заболел»" in card.content
    assert any("владелец отменил запись" in n for n in notices(office))
    assert not any("Заболел" in n for n in notices(office))  # the owner's words: card only
    assert len(office.cards(lead.id)) == 1  # edited in place, never posted twice


async def test_other_time_is_on_the_card(office: Office) -> None:
    owner = await office.world.user("Ольга")
    await submit_request(owner)
    await owner.click("🕐 Другое время")
    await owner.send("вторник после 15:00")
    await owner.expect("Консультант позвонит")
    lead = await office.repo.leads.for_user(owner.id)
    assert lead is not None
    card = await settled_card(office, lead.id)
    assert "Удобное время: вторник после 15:00 (выбрано «🕐 Другое время», в календаре время " \
           "не выбрано)" in card.content
    assert any("выбрал «🕐 Другое время»" in n for n in notices(office))
    assert not any("вторник" in n for n in notices(office))  # the owner's words: card only


async def test_no_show_then_a_new_booking_then_held_are_in_the_history(office: Office) -> None:
    owner, lead_id = await booked_owner(office)
    card = await settled_card(office, lead_id)
    await office.press(office.anna, card, "Взять в работу")
    lead = await office.repo.leads.get(lead_id)
    assert lead is not None and lead.status == LeadStatus.scheduled  # claimed, still booked
    assert lead.assignee_name == "Анна Консультант"
    card = await office.card(lead_id)
    assert "✋ Взять в работу" not in labels(card)

    answer = await office.press(office.anna, card, "Не пришёл")
    assert "не пришёл" in answer["text"]
    card = await office.card(lead_id)
    assert "🚫 Заявка" in card.content and "не пришёл (четверг, 10 декабря" in card.content
    first = await office.repo.bookings.latest_for_lead(lead_id)
    assert first is not None and first.state == BookingState.no_show

    await owner.send("/booking")  # a no-show may book again
    await owner.click("пт, 11 декабря")
    await owner.click("12:00")
    await owner.expect("Вы записаны на диагностику")
    card = await settled_card(office, lead_id)
    await office.press(office.anna, card, "Диагностика проведена")
    second = await office.repo.bookings.latest_for_lead(lead_id)
    assert second is not None and second.state == BookingState.held
    lead = await office.repo.leads.get(lead_id)
    assert lead is not None and lead.status == LeadStatus.done

    history = await office.repo.pipeline.history(lead_id)
    assert [(h.from_status, h.to_status, h.event) for h in history] == [
        ("new", "scheduled", "booked"),
        ("scheduled", "scheduled", None),  # claimed
        ("scheduled", "no_show", "no_show"),
        ("no_show", "scheduled", "booked"),
        ("scheduled", "done", "held"),
    ]
    await office.anna.send(f"/lead {lead_id}")
    log = await office.anna.expect("История")
    assert "владелец: новая → диагностика назначена, записался на 10.12.2026 14:00" in log.content
    assert "диагностика назначена → не пришёл, не пришёл на диагностику" in log.content
    assert "диагностика назначена → диагностика проведена, диагностика проведена" in log.content


async def test_a_refusal_cancels_the_booking_and_frees_its_slot(office: Office) -> None:
    _, lead_id = await booked_owner(office)
    card = await settled_card(office, lead_id)
    await office.press(office.anna, card, "Отказ")
    prompt = await office.anna.expect("почему отказ")
    await office.anna.reply_to(prompt, "Нет бюджета")
    await office.anna.expect("Отказ по заявке")
    booking = await office.repo.bookings.latest_for_lead(lead_id)
    assert booking is not None and booking.state == BookingState.cancelled
    history = await office.repo.pipeline.history(lead_id)
    assert (history[-1].to_status, history[-1].event) == ("lost", "cancelled")
    other = await office.world.user("Пётр")
    await submit_request(other, company="АО «Василёк»")
    await other.click("чт, 10 декабря")
    assert "14:00" in labels(await other.expect("свободное время"))


async def test_agenda_lists_the_days_bookings_with_who_claimed_them(office: Office) -> None:
    _, today_id = await booked_owner(office, "Ольга", "ООО «Ромашка»", "пн, 7 декабря", "12:00")
    _, later_id = await booked_owner(office, "Пётр", "АО «Василёк»", "чт, 10 декабря", "14:00")
    await office.press(office.anna, await settled_card(office, later_id), "Взять в работу")

    await office.boris.send("/agenda")
    today = await office.boris.expect("Диагностики — сегодня")
    assert "Понедельник, 7 декабря" in today.content
    assert f"12:00–13:00 · №{today_id} · ООО «Ромашка» · никто не взял" in today.content
    assert "АО «Василёк»" not in today.content

    await office.boris.send("/busy 2026-12-10 16:00-18:00")
    await office.boris.expect("Время закрыто для записи")
    await office.boris.send("/agenda week")
    week = await office.boris.expect("Диагностики — на 7 дней")
    assert f"14:00–15:00 · №{later_id} · АО «Василёк» · Анна Консультант" in week.content
    assert "🚫 четверг, 10 декабря, 16:00–18:00 закрыто (Борис)" in week.content
    assert "Вторник, 8 декабря" not in week.content  # days with nothing are left out

    await office.boris.send("/agenda month")
    await office.boris.expect("/agenda week")


async def test_busy_closes_times_and_free_opens_them(office: Office) -> None:
    _, lead_id = await booked_owner(office, "Ольга", day="чт, 10 декабря", time="14:00")
    await office.anna.send("/busy 2026-12-10 14:00-16:00")
    reply = await office.anna.expect("Время закрыто для записи")
    assert "четверг, 10 декабря, 14:00–16:00 (по Москве)" in reply.content
    assert f"заявка №{lead_id}" in reply.content  # already booked inside: to be moved by hand
    await office.anna.send("/busy 2026-12-08")
    await office.anna.expect("00:00–24:00")
    await office.anna.send("/free 2026-12-12 10:00-12:00")
    await office.anna.expect("Время открыто для записи: суббота, 12 декабря, 10:00–12:00")

    owner = await office.world.user("Пётр")
    days = await submit_request(owner, company="АО «Василёк»")
    assert "вт, 8 декабря" not in labels(days) and "сб, 12 декабря" in labels(days)
    await owner.click("чт, 10 декабря")
    offered = labels(await owner.expect("свободное время"))
    assert "14:00" not in offered and "15:00" not in offered and "16:00" in offered
    await owner.click("◀️ Другой день")
    await owner.click("сб, 12 декабря")
    assert labels(await owner.expect("свободное время"))[:2] == ["10:00", "11:00"]

    await office.anna.send("/free 2026-12-10 15:00-16:00")  # the later one wins
    await office.anna.expect("Время открыто")
    await owner.click("◀️ Другой день")
    await owner.click("чт, 10 декабря")
    assert "15:00" in labels(await owner.expect("свободное время"))

    for wrong in ("/busy", "/busy tomorrow", "/busy 2026-12-10 16:00-14:00", "/free 2026-12-10",
                  "/busy 2026-13-01 10:00-11:00"):
        await office.anna.send(wrong)
        await office.anna.expect("Так:")
    assert await office.repo.db.fetchval("SELECT count(*) FROM availability") == 4


async def test_only_consultants_close_or_open_times(office: Office) -> None:
    stranger = await office.world.user("Посторонний")
    await stranger.send("/busy 2026-12-10 10:00-18:00")
    await stranger.send("/free 2026-12-12 10:00-18:00")
    await stranger.send("/agenda")
    said = [m.content for m in await stranger.bot_messages()]
    assert not any("Время" in text or "Диагностики —" in text for text in said)
    assert await office.repo.db.fetchval("SELECT count(*) FROM availability") == 0
    await office.ada.in_private().send("/busy 2026-12-10 10:00-11:00")  # an admin, privately
    await office.ada.in_private().expect("Время закрыто для записи")


async def test_stats_show_booked_held_and_no_show_by_source(office: Office) -> None:
    ids = []
    for index, (source, outcome) in enumerate(
        [("vk", "held"), ("vk", "no_show"), ("vk", None), ("site", "held")]
    ):
        owner = office.new_owner(f"Владелец {index}")
        lead = (await office.repo.leads.submit(lead_draft(owner, f"d{index}", source=source),
                                               None)).lead
        person = Person(office.world, office.telegram.user(owner).to_dict(), chat_id=owner)
        await person.send("/booking")
        await person.click("чт, 10 декабря")
        await person.click(f"{10 + index}:00")
        await person.expect("Вы записаны")
        ids.append((lead.id, outcome))
    office.clock.set_to(at("2026-12-10 19:00"))
    for lead_id, outcome in ids:
        if outcome is None:
            continue
        await office.repo.db.write(
            "UPDATE bookings SET state = ? WHERE lead_id = ? AND state = 'active'",
            (outcome, lead_id),
        )
    await office.anna.send("/stats")
    stats = await office.anna.expect("Диагностики — всё время")
    assert "Записались: 4" in stats.content
    assert "Провели: 2 (50%) · не пришли: 1 (25%)" in stats.content
    assert "ещё впереди: 1" in stats.content
    assert "• vk: 3 → 1 → 1" in stats.content and "• site: 1 → 1 → 0" in stats.content


async def test_delete_me_frees_the_slot_and_takes_the_owner_off_the_agenda(office: Office) -> None:
    leaving, leaving_id = await booked_owner(office, "Эрик", "ООО Уход", "чт, 10 декабря", "14:00")
    _, staying_id = await booked_owner(office, "Кира", "ООО Остаток", "чт, 10 декабря", "15:00")
    await office.boris.send("/agenda week")
    agenda = await office.boris.expect("Диагностики — на 7 дней")
    assert "ООО Уход" in agenda.content and "ООО Остаток" in agenda.content

    await delete_me(leaving)
    await office.idle()

    shown = now_shows(office, agenda)
    assert "Уход" not in shown and f"№{leaving_id} " not in shown
    assert f"15:00–16:00 · №{staying_id} · ООО Остаток" in shown
    assert await office.repo.db.fetchval(
        "SELECT count(*) FROM bookings WHERE lead_id = ?", (leaving_id,)
    ) == 0
    newcomer = await office.world.user("Пётр")
    await submit_request(newcomer, company="АО «Василёк»")
    await newcomer.click("чт, 10 декабря")
    assert "14:00" in labels(await newcomer.expect("свободное время"))  # the slot is free
