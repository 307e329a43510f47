"""What the owner reads while booking: free days, a day's times, the confirmation with what
to prepare and the .ics file, their booking (/booking), the cancel prompt and the reminders
before the diagnostic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from pydantic import ValidationError

from bot.booking.calendar import Meeting, ics_bytes
from bot.booking.slots import Slot
from bot.booking.texts import day_long, local, minutes_between, span, zone_phrase
from bot.config import Settings
from bot.content import Content
from bot.db.bookings import BookingRow
from bot.db.models import LeadRow
from bot.domain import LeadAnswers, NudgeKind
from bot.flows.booking import keyboards as kb

Rendered = tuple[str, InlineKeyboardMarkup]


def when(booking: BookingRow, content: Content, settings: Settings) -> str:
    return span(content, booking.starts_at, booking.ends_at, settings.timezone)


def _common(content: Content, settings: Settings) -> dict[str, Any]:
    return {
        "zone": zone_phrase(content, settings.timezone),
        "minutes": settings.diagnostic_slot_minutes,
    }


def days(
    free: list[dt.date], moving: BookingRow | None, content: Content, settings: Settings
) -> Rendered:
    text = content.render(
        "booking/days.html", **_common(content, settings), days_ahead=settings.booking_days_ahead,
        count=len(free), moving=moving is not None,
        current=when(moving, content, settings) if moving else "",
    )
    return text, kb.days(content, free, moving.id if moving else 0)


def times(
    day: dt.date, slots: list[Slot], moving: int, problem: str, content: Content,
    settings: Settings,
) -> Rendered:
    text = content.render(
        "booking/times.html", day=day_long(content, day),
        zone=zone_phrase(content, settings.timezone), problem=problem,
    )
    return text, kb.times(content, slots, settings.timezone, moving)


def chosen(booking: BookingRow, content: Content, settings: Settings) -> str:
    return content.render(
        "booking/chosen.html", when=when(booking, content, settings),
        zone=zone_phrase(content, settings.timezone),
    )


def confirmation(
    booking: BookingRow, lead: LeadRow, moved: bool, content: Content, settings: Settings
) -> Rendered:
    """The confirmation: when, how long, what to prepare (the owner's segments and lead
    source as they answered), and «Перенести» / «Отменить»."""
    try:
        answers = LeadAnswers.model_validate(lead.answers)
    except ValidationError:  # an old or odd row: nothing of it to quote
        answers = LeadAnswers()
    names = [segment.name for segment in answers.segments or [] if segment.name]
    source = answers.lead_source
    try:
        source_label = content.label(f"lead_source.{source}") if source else ""
    except KeyError:
        source_label = ""
    text = content.render(
        "booking/confirmed.html", zone=zone_phrase(content, settings.timezone),
        minutes=minutes_between(booking.starts_at, booking.ends_at),
        when=when(booking, content, settings), moved=moved, segments=names,
        lead_source=source_label,
    )
    return text, kb.booking(content, booking.id, confirm=False)


def calendar_file(booking: BookingRow, content: Content, settings: Settings) -> BufferedInputFile:
    """The .ics to add the diagnostic to a calendar."""
    meeting = Meeting(
        booking_id=booking.id, starts_at=booking.starts_at, ends_at=booking.ends_at,
        summary=content.label("booking_texts.ics_summary"),
        description=content.label("booking_texts.ics_description"),
        created_at=booking.created_at,
    )
    date = local(booking.starts_at, settings.timezone).strftime("%Y-%m-%d")
    return BufferedInputFile(
        ics_bytes(meeting), filename=content.label("booking_texts.ics_file", date=date)
    )


def calendar_caption(booking: BookingRow, content: Content, settings: Settings) -> str:
    return content.render(
        "booking/ics_caption.html", when=when(booking, content, settings),
        zone=zone_phrase(content, settings.timezone),
    )


def show(booking: BookingRow, content: Content, settings: Settings) -> Rendered:
    """/booking: the active booking with «Подтверждаю», «Перенести», «Отменить»."""
    text = content.render(
        "booking/show.html", zone=zone_phrase(content, settings.timezone),
        when=when(booking, content, settings),
        minutes=minutes_between(booking.starts_at, booking.ends_at),
        confirmed=booking.confirmed_at is not None,
    )
    return text, kb.booking(content, booking.id)


def about(template: str, booking: BookingRow, content: Content, settings: Settings) -> str:
    """A short text about one booking (cancel prompt, cancelled, kept, thanks)."""
    return content.render(
        template, when=when(booking, content, settings),
        zone=zone_phrase(content, settings.timezone),
    )


def owner_reminder(
    booking: BookingRow, kind: NudgeKind, content: Content, settings: Settings, now: float
) -> Rendered:
    """The reminder 24 hours or 1 hour before (the follow-up scheduler sends it), with
    «Подтверждаю», «Перенести», «Отменить». It says how soon from `now`, when it is sent: one
    that went late (the bot was down) says «сегодня» or «через 12 минут», not «завтра» or
    «через час»."""
    hours = 24 if kind is NudgeKind.booking_day_before else 1
    zone = settings.timezone
    text = content.render(
        "booking/reminder.html", hours=hours,
        minutes=max(1, round((booking.starts_at - now) / 60)),
        today=local(now, zone).date() == local(booking.starts_at, zone).date(),
        when=when(booking, content, settings), zone=zone_phrase(content, zone),
        confirmed=booking.confirmed_at is not None,
    )
    return text, kb.booking(content, booking.id)
