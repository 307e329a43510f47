"""The real bot process books a diagnostic: the request, the free days, a time, the
confirmation and the .ics file, /booking — over HTTP against the emulator, in real time."""

from __future__ import annotations

import datetime as dt
import sqlite3

import icalendar
import pytest

from tests.e2e.harness import BotProcess, started_with_owner
from tests.e2e.test_diagnostic_e2e import journey
from tests.kit.http_driver import HttpWorld

pytestmark = pytest.mark.process


async def test_an_owner_books_a_diagnostic_through_the_real_process(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    bot_process.env.update({
        "DIAGNOSTIC_HOURS": "mon-sun 00:00-24:00", "DIAGNOSTIC_SLOT_MINUTES": "30",
        "BOOKING_MIN_NOTICE": "1h", "BOOKING_DAYS_AHEAD": "3", "TIMEZONE": "Europe/Moscow",
    })
    owner = await started_with_owner(bot_process, http_world, "Анна")
    steps = journey()
    # With booking on there is no call-time question: the phone leads to the review.
    for expected, action in steps[:-3]:
        await action(owner)
        await owner.expect(expected)
    await owner.share_contact("+79161234567")
    await owner.expect("Проверьте заявку")
    await owner.click("✅ Отправить")
    days = await owner.expect("Выберите день диагностики")
    assert "время — по Москве" in days.content
    first_day = days.buttons[0].text
    await owner.click(first_day)
    times = await owner.expect("свободное время")
    first_time = times.buttons[0].text
    await owner.click(first_time)
    confirmation = await owner.expect("Вы записаны на диагностику")
    assert f"{first_time}–" in confirmation.content and "(по Москве)" in confirmation.content

    document = await owner.expect("Добавьте встречу в календарь")
    assert document.file is not None and document.file["file_name"].endswith(".ics")
    event = icalendar.Calendar.from_ical(await owner.download(document)).walk("VEVENT")[0]
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as conn:
        [(starts_at, ends_at, state)] = conn.execute(
            "SELECT starts_at, ends_at, state FROM bookings"
        ).fetchall()
        [(status,)] = conn.execute("SELECT status FROM leads").fetchall()
    assert state == "active" and status == "scheduled" and ends_at - starts_at == 1800
    assert event.decoded("DTSTART") == dt.datetime.fromtimestamp(starts_at, dt.UTC)

    await owner.send("/booking")
    shown = await owner.expect("Ваша запись на диагностику")
    assert first_time in shown.content
    assert "Traceback" not in bot_process.log()
