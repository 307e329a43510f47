"""The .ics file that puts a booked diagnostic into the owner's calendar (RFC 5545).

One VEVENT per booking, made with the `icalendar` library: start and end as UTC instants
(every calendar shows them in its own zone, so there is no VTIMEZONE to get wrong), a UID
that names the booking (a rescheduled diagnostic is a new booking with a new UID), and an
alarm an hour before. Texts come from the caller (content/booking.toml).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import icalendar

PRODID = "-//sales-funnel-bot//diagnostic booking//RU"
UID_DOMAIN = "diagnostic.sales-funnel-bot"


@dataclass(frozen=True, slots=True)
class Meeting:
    booking_id: int
    starts_at: float
    ends_at: float
    summary: str
    description: str
    created_at: float


def _utc(moment: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, dt.UTC)


def ics_bytes(meeting: Meeting) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"booking-{meeting.booking_id}@{UID_DOMAIN}")
    event.add("dtstamp", _utc(meeting.created_at))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", meeting.summary)
    event.add("description", meeting.description)
    event.add("status", "CONFIRMED")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", meeting.summary)
    alarm.add("trigger", dt.timedelta(hours=-1))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
