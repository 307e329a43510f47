"""Consultants' calendar commands, in the group or in a private chat with the bot:
/agenda [day|week], and /busy and /free to close and reopen times for booking
(`/busy 2026-12-10 14:00-16:00`, `/busy 2026-12-10` for the whole day)."""

from __future__ import annotations

import datetime as dt
import re

from aiogram.filters import CommandObject
from aiogram.types import Message

from bot.booking.slots import range_instants
from bot.booking.texts import zone_phrase
from bot.clock import Clock
from bot.delivery.replies import Track
from bot.group.desk import Desk
from bot.group.views import agenda as views
from bot.local_time import zone as zone_of

_RANGE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:\s+(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2}))?$"
)


def parse_range(text: str | None, tz_name: str, *, whole_day: bool) -> tuple[int, int] | None:
    """`2026-12-10 14:00-16:00` (or, with `whole_day`, `2026-12-10`) as instants in the
    zone; None when malformed, empty or backwards."""
    match = _RANGE_RE.match((text or "").strip())
    if match is None:
        return None
    year, month, day_of_month = (int(match.group(i)) for i in (1, 2, 3))
    try:
        day = dt.date(year, month, day_of_month)
    except ValueError:
        return None
    if match.group(4) is None:
        if not whole_day:
            return None
        first, last = 0, 1440
    else:
        h1, m1, h2, m2 = (int(match.group(i)) for i in (4, 5, 6, 7))
        if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2):
            return None
        first, last = h1 * 60 + m1, h2 * 60 + m2
    start, end = range_instants(day, first, last, zone_of(tz_name))
    if start is None or end is None or start >= end:
        return None
    return start, end


async def on_agenda(message: Message, command: CommandObject, desk: Desk, clock: Clock) -> None:
    period = views.parse_period(command.args)
    if period is None:
        desk.reply(message.answer(desk.content.render("group/agenda_usage.html")))
        return
    now = clock.now()
    shown = await views.agenda(period, now, desk.repo, desk.content, desk.settings)
    # On record like a /leads page: erasing a lead it lists renders it again without.
    desk.reply(message.answer(shown.text), track=Track.lead_page(shown.lead_ids, shown.detail))


async def on_busy(message: Message, command: CommandObject, desk: Desk, clock: Clock) -> None:
    await _availability("busy", message, command, desk, clock)


async def on_free(message: Message, command: CommandObject, desk: Desk, clock: Clock) -> None:
    await _availability("free", message, command, desk, clock)


async def _availability(
    kind: str, message: Message, command: CommandObject, desk: Desk, clock: Clock
) -> None:
    reply, repo, content, settings = desk.reply, desk.repo, desk.content, desk.settings
    found = parse_range(command.args, settings.timezone, whole_day=kind == "busy")
    if found is None:
        reply(message.answer(content.render(
            "group/availability_usage.html", kind=kind,
            zone=zone_phrase(content, settings.timezone),
        )))
        return
    start, end = found
    user = desk.user
    await repo.bookings.add_override(
        start, end, kind, user.id, user.full_name, clock.now()
    )
    conflicts = []
    if kind == "busy":
        conflicts = [
            row for row in await repo.bookings.agenda(start - 86400, end)
            if row.starts_at < end and row.ends_at > start
        ]
    reply(message.answer(
        views.availability_text(kind, start, end, conflicts, content, settings)
    ))
