"""The reminders of a booked diagnostic, sent by the follow-up scheduler: a day and an hour
before to the owner (with «Подтверждаю», «Перенести», «Отменить»), 15 minutes before to the
consultants as a reply to the card. Planned in the transaction that books; replaced by a
reschedule, dropped by a cancel; quiet hours hold the day-before one only; the owner's /stop
silences theirs, not the consultants'. The clock stands still on Monday 7 December 2026,
09:00 (Moscow) until a test moves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import NudgeKind
from tests.booking.clock import FrozenClock, at
from tests.booking.conftest import BOOKING, MONDAY_9AM
from tests.booking.owner import cancel_without_reason, request_and_book, reschedule
from tests.consultants.office import Office, open_office
from tests.kit.drivers import Person
from tests.kit.views import MessageView

THURSDAY_2PM = at("2026-12-10 14:00")


@pytest.fixture
async def office(db_path: Path) -> AsyncIterator[Office]:
    async with open_office(db_path, clock=FrozenClock(MONDAY_9AM), **BOOKING) as opened:
        yield opened


async def booked(office: Office, day: str = "чт, 10 декабря", time: str = "14:00") -> Person:
    owner = await office.world.user("Ольга")
    await request_and_book(owner, day, time)
    await office.idle()  # the card is in the group
    return owner


async def pending(office: Office, owner: Person) -> dict[str, float]:
    return {row.kind: row.due_at for row in await office.repo.nudges.pending(owner.id)}


def reminders_for(start: float, day_before: float | None = None) -> dict[str, float]:
    """When the reminders of a diagnostic at `start` are due: a day (or at `day_before`) and
    an hour before it to the owner, a quarter of an hour before it to the group."""
    return {
        NudgeKind.booking_day_before: start - 24 * 3600 if day_before is None else day_before,
        NudgeKind.booking_hour_before: start - 3600,
        NudgeKind.booking_group: start - 15 * 60,
    }


async def at_moment(office: Office, moment: float, *people: Person) -> None:
    """The clock shows `moment`; the reminder sender sends what is due. The people's next
    expectations see only what came since."""
    assert isinstance(office.clock, FrozenClock)
    office.clock.set_to(moment)
    for person in people:
        person._cursor = office.telegram.last_seq
    await office.nudges.deliver_due()


def newest(office: Office, chat_id: int) -> int:
    return max((m.message_id for m in office.telegram.bot_messages(chat_id)), default=0)


def since(office: Office, chat_id: int, message_id: int) -> list[MessageView]:
    return [
        MessageView.from_dict(m.to_dict()) for m in office.telegram.bot_messages(chat_id)
        if m.message_id > message_id
    ]


async def test_a_day_and_an_hour_before_the_owner_and_a_quarter_before_the_group(
    office: Office,
) -> None:
    owner = await booked(office)
    assert await pending(office, owner) == reminders_for(THURSDAY_2PM)

    await at_moment(office, THURSDAY_2PM - 24 * 3600, owner)
    day_before = await owner.expect("Напоминаем о диагностике")
    assert "завтра: четверг, 10 декабря, 14:00–15:00 (по Москве)" in day_before.content
    assert "Подтвердите, пожалуйста" in day_before.content
    assert [b.text for b in day_before.buttons] == ["✅ Подтверждаю", "🔁 Перенести", "✖️ Отменить"]
    await owner.click("✅ Подтверждаю", on=day_before)
    await owner.expect("Спасибо! Ждём вас")

    await at_moment(office, THURSDAY_2PM - 3600, owner)
    hour_before = await owner.expect("Напоминаем о диагностике")
    assert "через час: четверг, 10 декабря, 14:00–15:00" in hour_before.content
    assert "Вы уже подтвердили участие" in hour_before.content

    in_group, in_private = newest(office, office.group_id), newest(office, owner.id)
    await at_moment(office, THURSDAY_2PM - 15 * 60)
    lead = await office.repo.leads.for_user(owner.id)
    assert lead is not None
    card = await office.repo.cards.get(lead.id)
    assert card is not None
    quarter = since(office, office.group_id, in_group)
    assert len(quarter) == 1
    said = quarter[0]
    assert f"Через 15 минут диагностика: заявка №{lead.id}" in said.content
    assert "Заявку никто не взял" in said.content  # nobody claimed it: said loudly
    assert said.reply_to_message_id == card.message_id
    assert since(office, owner.id, in_private) == []  # the owner is not told twice
    assert await pending(office, owner) == {}
    kinds = [row.kind for row in await office.repo.nudges.history(owner.id)]
    assert sorted(kinds) == sorted(NudgeKind(k) for k in (
        "booking_24h", "booking_1h", "booking_group_15m"
    ))


async def test_a_reschedule_replaces_the_reminders_and_a_cancel_drops_them(
    office: Office,
) -> None:
    owner = await booked(office)
    await reschedule(owner, "пт, 11 декабря", "16:00")
    friday_4pm = at("2026-12-11 16:00")
    assert await pending(office, owner) == reminders_for(friday_4pm)
    # Nothing about the old time: at its day-before moment the sender has nothing to say.
    await at_moment(office, THURSDAY_2PM - 24 * 3600, owner)
    await owner.expect_no_reply()

    await cancel_without_reason(owner)
    assert await pending(office, owner) == {}
    await at_moment(office, friday_4pm - 3600, owner)
    await owner.expect_no_reply()


async def test_quiet_hours_hold_the_day_before_reminder_not_the_hour_before(
    office: Office,
) -> None:
    """A diagnostic at 08:30 (opened with /free): the day-before reminder would come at 08:30
    in the quiet hours (21–10) and waits until 10:00; the hour-before one comes at 07:30."""
    await office.ada.send("/free 2026-12-10 08:00-10:00")
    await office.ada.expect("открыто")
    owner = await booked(office, time="08:00")
    thursday_8am = at("2026-12-10 08:00")
    assert await pending(office, owner) == reminders_for(
        thursday_8am, day_before=at("2026-12-09 10:00")
    )


async def test_after_stop_the_owner_gets_none_but_the_consultants_still_do(
    office: Office,
) -> None:
    owner = await booked(office)
    await owner.send("/stop")
    await owner.expect("больше не будем напоминать")
    assert await pending(office, owner) == {NudgeKind.booking_group: THURSDAY_2PM - 15 * 60}
    in_group = newest(office, office.group_id)
    await at_moment(office, THURSDAY_2PM - 15 * 60, owner)
    await owner.expect_no_reply()
    assert "Через 15 минут диагностика" in since(office, office.group_id, in_group)[0].content


async def test_a_reminder_whose_booking_ended_meanwhile_is_not_sent(office: Office) -> None:
    """The race: the booking is cancelled by a consultant's refusal between the reminder
    falling due and being sent — the sender reads the booking when it sends and drops it."""
    owner = await booked(office)
    lead = await office.repo.leads.for_user(owner.id)
    assert lead is not None
    booking = await office.repo.bookings.latest_for_lead(lead.id)
    assert booking is not None
    await office.db.write("UPDATE bookings SET state = 'cancelled' WHERE id = ?", (booking.id,))
    await at_moment(office, THURSDAY_2PM - 3600, owner)
    await owner.expect_no_reply()
    dropped = [r for r in await office.repo.nudges.history(owner.id) if r.status == "dropped"]
    assert [r.kind for r in dropped] == [NudgeKind.booking_day_before,
                                         NudgeKind.booking_hour_before]


async def test_start_after_stop_plans_the_owners_booking_reminders_again(office: Office) -> None:
    owner = await booked(office)
    await owner.send("/stop")
    await owner.expect("больше не будем напоминать")
    assert set(await pending(office, owner)) == {NudgeKind.booking_group}
    await owner.send("/start")
    await owner.expect("Напоминания снова включены")
    assert await pending(office, owner) == reminders_for(THURSDAY_2PM)


async def test_blocking_drops_the_owners_reminders_and_unblocking_plans_them_again(
    office: Office,
) -> None:
    owner = await booked(office)
    office.telegram.block_bot(owner.id)  # Telegram tells the bot (my_chat_member)
    await office.world.settle()
    assert set(await pending(office, owner)) == {NudgeKind.booking_group}
    office.telegram.block_bot(owner.id, False)
    await office.world.settle()
    assert set(await pending(office, owner)) == set(NudgeKind(k) for k in (
        "booking_24h", "booking_1h", "booking_group_15m"
    ))
