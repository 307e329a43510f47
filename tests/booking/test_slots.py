"""Which times are free: working hours, slot length, notice, parallel diagnostics, the
consultants' /busy and /free, and wall-clock slots across daylight-saving changes."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.booking.hours import parse_hours
from bot.booking.slots import (
    Override,
    Rules,
    Slot,
    Taken,
    booking_days,
    candidates,
    free_days,
    free_slots,
    refusal,
)
from bot.booking.texts import clock
from tests.booking.clock import at


def rules(hours: str = "mon-fri 10:00-18:00", *, zone: str = "Europe/Moscow", minutes: int = 60,
          parallel: int = 1, notice: int = 3 * 3600, days: int = 10) -> Rules:
    return Rules(parse_hours(hours), minutes, parallel, notice, days, zone)


def times(slots: list[Slot], zone: str = "Europe/Moscow") -> list[str]:
    return [clock(slot.start, zone) for slot in slots]


def test_a_working_day_is_cut_into_slots_that_end_by_closing_time() -> None:
    day = dt.date(2026, 12, 10)  # a Thursday
    laid = candidates(day, rules("mon-fri 10:00-18:00", minutes=90), [])
    assert times(laid) == ["10:00", "11:30", "13:00", "14:30", "16:00"]  # 17:30 would end 19:00


def test_several_ranges_a_day_and_other_hours_on_friday() -> None:
    hours = rules("mon-thu 10:00-13:00,14:00-18:00; fri 10:00-15:00")
    assert times(candidates(dt.date(2026, 12, 10), hours, [])) == [
        "10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00"
    ]
    assert times(candidates(dt.date(2026, 12, 11), hours, [])) == [
        "10:00", "11:00", "12:00", "13:00", "14:00"
    ]
    assert candidates(dt.date(2026, 12, 12), hours, []) == []  # Saturday: closed


def test_notice_hides_times_too_soon_and_the_days_offered_start_today() -> None:
    now = at("2026-12-07 09:00")  # Monday
    r = rules(notice=3 * 3600)
    assert times(free_slots(dt.date(2026, 12, 7), now, r, [], [])) == [
        "12:00", "13:00", "14:00", "15:00", "16:00", "17:00"
    ]
    days = free_days(now, r, [], [])
    assert days[0] == dt.date(2026, 12, 7)
    assert len(booking_days(now, r)) == 10
    assert days == [d for d in booking_days(now, r) if d.weekday() < 5]  # weekends closed


def test_a_taken_slot_is_not_offered_until_every_parallel_seat_is_taken() -> None:
    now = at("2026-12-07 09:00")
    day = dt.date(2026, 12, 8)
    slot = candidates(day, rules(), [])[0]
    taken = [Taken(slot.start, slot.end)]
    assert slot not in free_slots(day, now, rules(parallel=1), [], taken)
    assert refusal(slot, now, rules(parallel=1), [], taken) == "taken"
    assert slot in free_slots(day, now, rules(parallel=2), [], taken)
    assert slot not in free_slots(day, now, rules(parallel=2), [], taken * 2)


def test_busy_closes_free_reopens_and_the_later_one_wins() -> None:
    now = at("2026-12-07 09:00")
    day = dt.date(2026, 12, 10)
    busy = Override(1, int(at("2026-12-10 14:00")), int(at("2026-12-10 16:00")), "busy")
    assert times(free_slots(day, now, rules(), [busy], [])) == [
        "10:00", "11:00", "12:00", "13:00", "16:00", "17:00"
    ]
    reopened = Override(2, int(at("2026-12-10 15:00")), int(at("2026-12-10 16:00")), "free")
    assert "15:00" in times(free_slots(day, now, rules(), [busy, reopened], []))
    saturday = dt.date(2026, 12, 12)
    extra = Override(3, int(at("2026-12-12 10:00")), int(at("2026-12-12 12:00")), "free")
    assert times(free_slots(saturday, now, rules(), [extra], [])) == ["10:00", "11:00"]
    whole_day = Override(4, int(at("2026-12-10 00:00")), int(at("2026-12-11 00:00")), "busy")
    assert free_slots(day, now, rules(), [whole_day], []) == []
    assert refusal(candidates(day, rules(), [])[0], now, rules(), [whole_day], []) == "closed"


def test_a_time_already_passed_or_beyond_the_days_offered_is_refused() -> None:
    now = at("2026-12-07 13:30")
    past = candidates(dt.date(2026, 12, 7), rules(), [])[0]  # 10:00 today
    assert refusal(past, now, rules(), [], []) == "passed"
    later = candidates(dt.date(2026, 12, 30), rules(), [])[0]
    assert refusal(later, now, rules(days=10), [], []) == "closed"


# -- daylight saving: slots are wall-clock times in TIMEZONE, kept as UTC instants ------------


def test_a_working_day_after_the_spring_change_starts_an_hour_earlier_in_utc() -> None:
    berlin = rules(zone="Europe/Berlin")
    before = candidates(dt.date(2026, 3, 27), berlin, [])[0]  # Friday, CET (UTC+1)
    after = candidates(dt.date(2026, 3, 30), berlin, [])[0]  # Monday, CEST (UTC+2)
    assert times([before, after], "Europe/Berlin") == ["10:00", "10:00"]
    assert dt.datetime.fromtimestamp(before.start, dt.UTC).hour == 9
    assert dt.datetime.fromtimestamp(after.start, dt.UTC).hour == 8


def test_a_wall_clock_time_skipped_in_spring_is_not_offered() -> None:
    night = rules("sun 01:00-05:00", zone="Europe/Berlin")
    laid = candidates(dt.date(2026, 3, 29), night, [])  # 02:00 → 03:00 that night
    assert times(laid, "Europe/Berlin") == ["01:00", "03:00", "04:00"]
    assert all(slot.end - slot.start == 3600 for slot in laid)
    assert laid[0].end == laid[1].start  # 01:00 CET + 1 h is 03:00 CEST


def test_the_hour_repeated_in_autumn_is_offered_once() -> None:
    night = rules("sun 01:00-04:00", zone="Europe/Berlin")
    laid = candidates(dt.date(2026, 10, 25), night, [])
    assert times(laid, "Europe/Berlin") == ["01:00", "02:00", "03:00"]
    assert len({slot.start for slot in laid}) == 3


def test_new_york_changes_on_another_date_than_europe() -> None:
    ny = rules("mon-fri 09:00-10:00", zone="America/New_York")
    before = candidates(dt.date(2026, 3, 6), ny, [])[0]  # Friday, EST (UTC-5)
    after = candidates(dt.date(2026, 3, 9), ny, [])[0]  # Monday, EDT (UTC-4)
    assert dt.datetime.fromtimestamp(before.start, dt.UTC).hour == 14
    assert dt.datetime.fromtimestamp(after.start, dt.UTC).hour == 13


# -- DIAGNOSTIC_HOURS ---------------------------------------------------------------------------


def test_hours_are_parsed_per_day() -> None:
    hours = parse_hours("mon-thu 10:00-13:00,14:00-18:00; fri 10:00-15:00; sat-sun 11:00-12:30")
    assert hours.on(0) == ((600, 780), (840, 1080))
    assert hours.on(4) == ((600, 900),)
    assert hours.on(6) == ((660, 750),)
    assert parse_hours("fri-mon 09:00-24:00").on(0) == ((540, 1440),)
    assert parse_hours("mon,wed 09:00-10:00").on(2) == ((540, 600),)
    assert parse_hours("").empty and parse_hours("  ").empty


@pytest.mark.parametrize("text", [
    "mon-fri", "mon-fri 10-18", "someday 10:00-18:00", "mon 18:00-10:00", "mon 10:00-25:00",
    "mon 10:00-12:00,11:00-13:00", "mon 10:00-12:00; mon 13:00-14:00", "mon 10:60-11:00",
    "mon-fri 10:00-18:00 sat", "mon 10:00",
])
def test_malformed_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected days and hours"):
        parse_hours(text)
