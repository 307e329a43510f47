"""The reminders a booking needs, planned on the follow-up scheduler (bot/nudges).

`reminders_for(booking, now)` is pure: given a booking it returns what must be sent and
when — 24 hours before to the owner (QUIET_HOURS may hold it until the morning), 1 hour
before to the owner (sent on time), 15 minutes before to the consultants' group (on time) —
leaving out those already past when the booking is made. bot/booking/service.py calls it
and hands the result to a `ReminderSchedule` in the same transaction that books, moves,
cancels or closes the booking (an empty list: cancel what is pending for it).

`ScheduledReminders` writes them as rows of the `nudges` table (one pending per owner and
kind: a lead has at most one active booking), so the one reminder sender sends them, with
its rate limits, retries and stale drop; bot/nudges/bookings.py says what each says when it
falls due and drops one whose booking is no longer active.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.config import Settings
from bot.domain import NudgeKind
from bot.nudges.quiet import out_of_quiet

if TYPE_CHECKING:
    from bot.db.bookings import BookingRow
    from bot.db.repos import Repositories

class Audience(StrEnum):
    owner = "owner"  # the lead's owner, in their private chat
    group = "group"  # the consultants' group, as a reply to the lead's card


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: NudgeKind
    due_at: int  # unix seconds
    to: Audience
    quiet_hours: bool  # QUIET_HOURS may delay it to the morning (False: sent on time)


# (kind, seconds before the start, audience, quiet hours apply)
PLAN: tuple[tuple[NudgeKind, int, Audience, bool], ...] = (
    (NudgeKind.booking_day_before, 24 * 3600, Audience.owner, True),
    (NudgeKind.booking_hour_before, 3600, Audience.owner, False),
    (NudgeKind.booking_group, 15 * 60, Audience.group, False),
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


class ScheduledReminders:
    """`ReminderSchedule` on the follow-up scheduler: a booking's reminders are `nudges` rows
    of the lead's owner, written in the caller's transaction (its unit of work)."""

    def __init__(self, repo: Repositories, settings: Settings) -> None:
        self.repo, self.settings = repo, settings

    async def replace(
        self, booking_id: int, lead_id: int, reminders: Sequence[Reminder]
    ) -> None:
        lead = await self.repo.leads.get(lead_id)
        if lead is None:
            return
        await self.repo.nudges.cancel_booking(lead.user_id, booking_id)
        payload = {"booking": booking_id, "lead": lead_id}
        for number, reminder in enumerate(reminders):
            after = reminders[number + 1] if number + 1 < len(reminders) else None
            due: float = reminder.due_at
            if reminder.quiet_hours:
                due = out_of_quiet(self.settings.quiet_hours, due, self.settings.timezone)
                if after is not None and due >= after.due_at:
                    continue  # held past the next reminder: that one says it
            await self.repo.nudges.schedule(
                lead.user_id, reminder.kind, due, payload,
                to_owner=reminder.to is Audience.owner,
            )
