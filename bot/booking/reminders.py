"""The reminders a booking needs: the seam to the follow-up scheduler (issue 15).

`reminders_for(booking, now)` is pure: given a booking it returns what must be sent and
when — 24 hours before to the owner (QUIET_HOURS may hold it until the morning), 1 hour
before to the owner (sent on time), 15 minutes before to the consultants' group (on time) —
leaving out those already past when the booking is made. bot/booking/service.py calls it
and hands the result to a `ReminderSchedule` in the same transaction that books, moves,
cancels or closes the booking (an empty list: cancel what is pending for it).

The scheduler itself is not on this branch: `NoReminders` stands in. Whoever wires the
scheduler implements `ReminderSchedule.replace` (cancel the booking's pending reminders,
write these as due rows, all in the caller's transaction) and, when one falls due, sends
the texts bot/flows/booking/views.py renders for it (`owner_reminder`, with the
«Подтверждаю» / «Перенести» / «Отменить» keyboard, and bot/group/views/agenda.py
`group_reminder`); a reminder whose booking is no longer active is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.db.bookings import BookingRow

log = logging.getLogger(__name__)


class ReminderKind(StrEnum):
    owner_day_before = "booking_24h"
    owner_hour_before = "booking_1h"
    group_before = "booking_group_15m"


class Audience(StrEnum):
    owner = "owner"  # the lead's owner, in their private chat
    group = "group"  # the consultants' group, as a reply to the lead's card


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: ReminderKind
    due_at: int  # unix seconds
    to: Audience
    quiet_hours: bool  # QUIET_HOURS may delay it to the morning (False: sent on time)


# (kind, seconds before the start, audience, quiet hours apply)
PLAN: tuple[tuple[ReminderKind, int, Audience, bool], ...] = (
    (ReminderKind.owner_day_before, 24 * 3600, Audience.owner, True),
    (ReminderKind.owner_hour_before, 3600, Audience.owner, False),
    (ReminderKind.group_before, 15 * 60, Audience.group, False),
)


def reminders_for(booking: BookingRow, now: float) -> list[Reminder]:
    """What `booking` needs reminded from `now` on (none for a booking that is not active)."""
    if not booking.active:
        return []
    start = int(booking.starts_at)
    return [
        Reminder(kind, start - before, to, quiet)
        for kind, before, to, quiet in PLAN
        if start - before > now
    ]


class ReminderSchedule(Protocol):
    async def replace(
        self, booking_id: int, lead_id: int, reminders: Sequence[Reminder]
    ) -> None:
        """Drop the booking's pending reminders and schedule `reminders` instead, inside
        the caller's transaction (an empty list only drops)."""


class NoReminders:
    """Until the follow-up scheduler is wired in: nothing is scheduled."""

    async def replace(
        self, booking_id: int, lead_id: int, reminders: Sequence[Reminder]
    ) -> None:
        log.debug("booking %d: %d reminder(s) not scheduled (no scheduler)",
                  booking_id, len(reminders))
