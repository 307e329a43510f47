"""Times are wall-clock times in TIMEZONE, kept as UTC instants: a booking across the spring
change lands on the right instant, and a change of TIMEZONE shows the same instant in the
new zone, named («по Москве», «по Берлину», «по времени New York»)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bot.app import create_app, create_bot
from bot.booking.texts import zone_phrase
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from tests.booking.clock import FrozenClock, at
from tests.booking.owner import book, labels, request_and_book, submit_request
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.kit.session import EmulatorSession

BERLIN = {"timezone": "Europe/Berlin"}


@pytest.mark.parametrize("settings", [BERLIN], indirect=True)
async def test_a_booking_after_the_spring_change_is_kept_at_the_right_instant(
    world: InProcessWorld, repo: Repositories, clock: FrozenClock
) -> None:
    clock.set_to(at("2026-03-27 09:00", "Europe/Berlin"))  # Friday; clocks go forward on Sunday
    owner = await world.user("Анна")
    days = await submit_request(owner)
    assert "время — по Берлину" in days.content
    assert labels(days)[:2] == ["пт, 27 марта", "пн, 30 марта"]
    confirmation = await book(owner, "пн, 30 марта", "10:00")
    assert "понедельник, 30 марта, 10:00–11:00 (по Берлину)" in confirmation.content
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    booking = await repo.bookings.active_for_lead(lead.id)
    assert booking is not None
    assert booking.starts_at == dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC).timestamp()  # CEST
    ics = icalendar.Calendar.from_ical(await owner.download((await owner.bot_messages())[-1]))
    assert ics.walk("VEVENT")[0].decoded("DTSTART") == dt.datetime(2026, 3, 30, 8, tzinfo=dt.UTC)

    other = await world.user("Борис")
    # Before the change of the clocks: CET.
    await request_and_book(other, "пт, 27 марта", "13:00", company="АО «Василёк»")
    lead = await repo.leads.for_user(other.id)
    assert lead is not None
    friday = await repo.bookings.active_for_lead(lead.id)
    assert friday is not None
    assert friday.starts_at == dt.datetime(2026, 3, 27, 12, 0, tzinfo=dt.UTC).timestamp()


async def test_after_a_change_of_timezone_the_booking_reads_in_the_new_zone(
    world: InProcessWorld, owner: Person, repo: Repositories, settings: Settings, content: Content,
    clock: FrozenClock,
) -> None:
    await request_and_book(owner, "чт, 10 декабря", "14:00")  # 11:00 UTC
    for zone, shown in (
        ("Europe/Berlin", "четверг, 10 декабря, 12:00–13:00 (по Берлину)"),
        ("America/New_York", "четверг, 10 декабря, 06:00–07:00 (по времени New York)"),
        ("Asia/Vladivostok", "четверг, 10 декабря, 21:00–22:00 (по Владивостоку)"),
    ):
        moved = settings.model_copy(update={"timezone": zone})
        emulator = world.bot.session.emulator  # type: ignore[attr-defined]
        bot = create_bot(moved, session=EmulatorSession(emulator))
        try:
            app = create_app(moved, repo=repo, content=content, bot=bot)
            restarted = InProcessWorld.for_app(app)
            same = Person(restarted, owner.user, chat_id=owner.id)
            await same.send("/booking")
            await same.expect(shown)
        finally:
            await bot.session.close()


def test_every_zone_is_named() -> None:
    content = Content()
    assert zone_phrase(content, "Europe/Moscow") == "по Москве"
    assert zone_phrase(content, "America/Argentina/Buenos_Aires") == "по времени Buenos Aires"
