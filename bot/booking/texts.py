"""How booked times read: days, times and the zone, in words from content/booking.toml.

Times are shown in TIMEZONE with the zone named: a zone with its own phrase in
`[booking_zones]` («по Москве»), any other by the generic «по времени <город>».
"""

from __future__ import annotations

import datetime as dt

from bot.booking.hours import DAY_NAMES
from bot.content import Content
from bot.local_time import zone as zone_of


def zone_phrase(content: Content, zone: str) -> str:
    """«по Москве», or «по времени Berlin» for a zone without its own phrase."""
    try:
        return content.label(f"booking_zones.{zone}")
    except KeyError:
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        return content.label("booking_texts.zone_generic", city=city)


def local(moment: float, zone: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, zone_of(zone))


def clock(moment: float, zone: str) -> str:
    """«14:00» on the wall clock of `zone`."""
    return local(moment, zone).strftime("%H:%M")


def day_button(content: Content, day: dt.date) -> str:
    """«пн, 7 декабря»."""
    return content.label(
        "booking_texts.day_short",
        weekday=content.label(f"booking_weekdays.{DAY_NAMES[day.weekday()]}"),
        day=day.day, month=content.label(f"booking_months.{day.month}"),
    )


def day_long(content: Content, day: dt.date) -> str:
    """«понедельник, 7 декабря»."""
    return content.label(
        "booking_texts.day_long",
        weekday=content.label(f"booking_weekdays_full.{DAY_NAMES[day.weekday()]}"),
        day=day.day, month=content.label(f"booking_months.{day.month}"),
    )


def span(content: Content, start: float, end: float, zone: str) -> str:
    """«понедельник, 7 декабря, 14:00–15:00» (the zone is named separately)."""
    return content.label(
        "booking_texts.span", day=day_long(content, local(start, zone).date()),
        start=clock(start, zone), end=clock(end, zone),
    )


def minutes_between(start: float, end: float) -> int:
    return round((end - start) / 60)
