"""What consultants read about booked diagnostics: /agenda, the answers to /busy and /free,
the notice under a card when its owner books or changes a booking, the group's reminder
before a diagnostic, and a booking's line in the status history."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.booking.slots import day_window
from bot.booking.texts import clock, day_long, local, span, zone_phrase
from bot.config import Settings
from bot.content import Content
from bot.db.bookings import AgendaRow, BookingRow, OverrideRow
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.local_time import stamp
from bot.local_time import zone as zone_of

PERIOD_DAYS = {"day": 1, "week": 7}
NOTICES = frozenset({"booked", "moved", "cancelled", "confirmed", "other_time"})


def parse_period(argument: str | None) -> str | None:
    """«day» (also nothing) or «week»; None for anything else."""
    word = (argument or "").strip().lower()
    if not word:
        return "day"
    return word if word in PERIOD_DAYS else None


@dataclass(frozen=True, slots=True)
class Agenda:
    text: str
    lead_ids: list[int]  # the leads it shows (erasing one re-renders it without)
    detail: str  # what `without` needs to render it again (JSON: period, instant)


async def agenda(
    period: str, now: float, repo: Repositories, content: Content, settings: Settings,
    only: set[int] | None = None,
) -> Agenda:
    """Booked diagnostics from today on, by day, with the closed and opened times (`only`:
    of these leads alone)."""
    tz = zone_of(settings.timezone)
    today = local(now, settings.timezone).date()
    days = [today + dt.timedelta(days=offset) for offset in range(PERIOD_DAYS[period])]
    start, end = day_window(days[0], tz)[0], day_window(days[-1], tz)[1]
    booked = [
        row for row in await repo.bookings.agenda(start, end)
        if only is None or row.lead_id in only
    ]
    blocks = await repo.bookings.overrides_between(start, end)
    shown = []
    for day in days:
        window = day_window(day, tz)
        items = [row for row in booked if window[0] <= row.starts_at < window[1]]
        closed = [row for row in blocks if row.starts_at < window[1] and row.ends_at > window[0]]
        if period == "week" and not items and not closed:
            continue
        shown.append({
            "label": day_long(content, day),
            "bookings": [_item(row, settings) for row in items],
            "closed": [_block(row, day, content, settings) for row in closed],
        })
    text = content.render(
        "group/agenda.html", period=content.label(f"agenda_periods.{period}"),
        zone=zone_phrase(content, settings.timezone), days=shown,
    )
    detail = json.dumps({"agenda": period, "at": now})
    return Agenda(text, sorted({row.lead_id for row in booked}), detail)


async def without(
    detail: str | None, kept: list[int], repo: Repositories, content: Content,
    settings: Settings,
) -> Agenda | None:
    """An agenda as it was asked for, showing only the `kept` leads (an erased lead's line
    dropped); None when `detail` is not an agenda's."""
    try:
        meta = json.loads(detail or "")
        period, at = meta["agenda"], float(meta["at"])
    except (ValueError, TypeError, KeyError):
        return None
    if period not in PERIOD_DAYS:
        return None
    return await agenda(period, at, repo, content, settings, only=set(kept))


def _item(row: AgendaRow, settings: Settings) -> dict[str, Any]:
    return {
        "time": f"{clock(row.starts_at, settings.timezone)}–{clock(row.ends_at, settings.timezone)}",
        "id": row.lead_id,
        "company": row.company or "",
        "assignee": row.assignee_name or "",
        "confirmed": row.confirmed_at is not None,
    }


def _block(row: OverrideRow, day: dt.date, content: Content, settings: Settings) -> dict[str, Any]:
    return {
        "span": override_span(row.starts_at, row.ends_at, content, settings),
        "kind": row.kind,
        "by": row.actor_name,
    }


def override_span(start: float, end: float, content: Content, settings: Settings) -> str:
    """«четверг, 10 декабря, 14:00–16:00» (a day to its end: «…, 00:00–24:00»); across
    days «четверг, 10 декабря, 22:00 – пятница, 11 декабря, 02:00»."""
    zone = settings.timezone
    first, last = local(start, zone), local(end, zone)
    day = day_long(content, first.date())
    if last.date() == first.date() or (
        last.date() == first.date() + dt.timedelta(days=1) and last.time() == dt.time()
    ):
        end_clock = clock(end, zone) if last.date() == first.date() else "24:00"
        return content.label("booking_texts.span", day=day, start=clock(start, zone), end=end_clock)
    return f"{day}, {clock(start, zone)} – {day_long(content, last.date())}, {clock(end, zone)}"


def availability_text(
    kind: str, start: float, end: float, conflicts: Sequence[AgendaRow], content: Content,
    settings: Settings,
) -> str:
    return content.render(
        "group/availability_saved.html", kind=kind,
        span=override_span(start, end, content, settings),
        zone=zone_phrase(content, settings.timezone),
        conflicts=[
            {"time": span(content, row.starts_at, row.ends_at, settings.timezone),
             "id": row.lead_id}
            for row in conflicts
        ],
    )


async def booking_notice(
    lead: LeadRow, payload: dict[str, Any], repo: Repositories, content: Content,
    settings: Settings,
) -> str | None:
    """The reply under the card about a change the owner made (None: nothing to say)."""
    notice = payload.get("notice")
    if notice not in NOTICES:
        return None
    booking_id = payload.get("booking_id")
    booking = None
    if isinstance(booking_id, int) and not isinstance(booking_id, bool):
        booking = await repo.bookings.get(booking_id)
        if booking is None or booking.lead_id != lead.id:
            return None
    elif notice != "other_time":
        return None
    return content.render(
        "group/booking_notice.html", id=lead.id, notice=notice,
        when=span(content, booking.starts_at, booking.ends_at, settings.timezone)
        if booking else "",
        zone=zone_phrase(content, settings.timezone),
    )


def group_reminder(lead: LeadRow, booking: BookingRow, content: Content, settings: Settings) -> str:
    """The group's reminder 15 minutes before (the follow-up scheduler sends it as a reply
    to the lead's card), naming the consultant — or loudly nobody."""
    return content.render(
        "group/booking_reminder.html", id=lead.id,
        when=span(content, booking.starts_at, booking.ends_at, settings.timezone),
        zone=zone_phrase(content, settings.timezone), assignee=lead.assignee_name or "",
    )


def history_event(
    event: str, slot_at: float | None, content: Content, settings: Settings
) -> str:
    """A booking's words in the status history («записался на 10.12.2026 14:00»)."""
    when = stamp(slot_at, settings.timezone) if slot_at else ""
    try:
        return content.label(f"booking_events.{event}", when=when)
    except KeyError:
        return ""
