"""Booking changes applied to the database: book, reschedule, cancel, confirm, close.

Each runs inside the update's unit of work (bot/db/database.py), in one savepoint: the
booking row, the lead's status with its history row, the consultants' card update (outbox)
and the reminders the booking needs (bot/booking/reminders.py) are written together or not
at all, and together with the reply that tells the owner (the update processor commits
them as one). Reads inside see the writer's state, so what is checked is what is written.

The only module besides the SQL that changes bookings; the owner's handlers
(bot/flows/booking/) and the consultants' buttons (bot/group/handlers/) call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.booking.reminders import ReminderSchedule, reminders_for
from bot.booking.slots import Rules, Slot, refusal
from bot.db.bookings import BookingRow
from bot.db.leads import Notification
from bot.db.models import LeadRow
from bot.db.pipeline import Move
from bot.db.repos import Repositories
from bot.domain import BookingEvent, BookingState, LeadStatus, OutboxKind

BOOKABLE = frozenset({
    LeadStatus.new, LeadStatus.claimed, LeadStatus.contacted, LeadStatus.scheduled,
    LeadStatus.no_show,
})
"""Statuses in which the owner may book (a lead that is done, lost or unqualified may not)."""

# What a booking's end does to the lead, and the history event it records.
CLOSED_BY_STATUS: dict[str, tuple[BookingState, BookingEvent]] = {
    LeadStatus.done: (BookingState.held, BookingEvent.held),
    LeadStatus.no_show: (BookingState.no_show, BookingEvent.no_show),
    LeadStatus.lost: (BookingState.cancelled, BookingEvent.cancelled),
}


class Refusal(StrEnum):
    taken = "taken"  # no seat left at that time
    passed = "passed"  # too soon now (or past)
    closed = "closed"  # not open any more (a /busy, other hours, beyond the days offered)
    booked = "booked"  # the lead has an active booking already (not a reschedule)
    same = "same"  # rescheduled onto its own time
    stale = "stale"  # the booking to reschedule or cancel is not the active one
    not_open = "not_open"  # the lead cannot book (closed, erased, not qualified)


class _Undo(Exception):
    def __init__(self, why: Refusal) -> None:
        self.why = why


@dataclass(frozen=True, slots=True)
class Booked:
    booking: BookingRow | None
    refusal: Refusal | None = None
    previous: BookingRow | None = None  # the booking a reschedule replaced


def bookable(lead: LeadRow | None) -> bool:
    return lead is not None and lead.qualified and lead.status in BOOKABLE


def _status_after_cancel(lead: LeadRow, booking: BookingRow) -> str:
    """Where a lead goes when its owner cancels: back where it was before booking (a lead
    that was already «scheduled» by phone goes back to «contacted»)."""
    before = booking.status_before or LeadStatus.new
    if before == LeadStatus.scheduled:
        before = LeadStatus.contacted
    if before == LeadStatus.new and lead.assignee_id is not None:
        before = LeadStatus.claimed
    return before if before in BOOKABLE else LeadStatus.new


async def _card(
    repo: Repositories, lead_id: int, notice: str, booking_id: int | None, key: str
) -> None:
    """The consultants' card is re-rendered, with a short notice under it about this change
    (bot/outbox/deliveries.py `lead_card`, bot/group/views/for_outbox.py)."""
    payload: dict[str, object] = {"notice": notice}
    if booking_id is not None:
        payload["booking_id"] = booking_id
    await repo.outbox.add(
        Notification(OutboxKind.lead_card, None, payload), lead_id,
        f"lead_card:{lead_id}:{notice}:{key}",
    )


def _require_unit(repo: Repositories) -> None:
    if not repo.db.in_unit:
        raise RuntimeError("booking changes run inside the update's unit of work")


async def book(
    repo: Repositories, schedule: ReminderSchedule, *, lead_id: int, slot: Slot,
    rules: Rules, now: float, actor_id: int, replacing: int | None = None,
) -> Booked:
    """Book `slot` for the lead (a reschedule of booking `replacing` when given)."""
    _require_unit(repo)
    try:
        async with repo.db.savepoint():  # a refusal undoes what the block wrote
            lead = await repo.leads.get(lead_id)
            if lead is None or not bookable(lead):
                raise _Undo(Refusal.not_open)
            current = await repo.bookings.active_for_lead(lead_id)
            if replacing is None and current is not None:
                raise _Undo(Refusal.booked)
            if replacing is not None and (current is None or current.id != replacing):
                raise _Undo(Refusal.stale)
            if current is not None and int(current.starts_at) == slot.start:
                raise _Undo(Refusal.same)
            booking = await repo.bookings.take(
                lead_id, slot.start, slot.end, parallel=rules.parallel, now=now,
                fits=lambda overrides, taken: refusal(slot, now, rules, overrides, taken) is None,
                status_before=current.status_before if current else lead.status,
                releasing=replacing,
            )
            if booking is None:
                overrides, taken = await repo.bookings.around(slot.start, slot.end)
                raise _Undo(refusal(slot, now, rules, overrides, taken) or Refusal.taken)
            event = BookingEvent.moved if current is not None else BookingEvent.booked
            moved = await repo.pipeline.move(
                lead_id, actor_id, "",
                lambda row: Move(LeadStatus.scheduled, event=event, slot_at=slot.start)
                if row.status in BOOKABLE else "not_open",
                now=now,
            )
            if not moved.ok:
                raise _Undo(Refusal.not_open)
            await _card(repo, lead_id, event, booking.id, str(booking.id))
            await schedule.replace(booking.id, lead_id, reminders_for(booking, now))
            if current is not None:
                await schedule.replace(current.id, lead_id, [])
            return Booked(booking, previous=current)
    except _Undo as undo:
        return Booked(None, Refusal(undo.why))


async def cancel(
    repo: Repositories, schedule: ReminderSchedule, *, lead_id: int, booking_id: int,
    reason: str | None, now: float, actor_id: int,
) -> BookingRow | None:
    """The owner cancels their booking (None: it is not their active booking any more)."""
    _require_unit(repo)
    try:
        async with repo.db.savepoint():  # a refusal undoes what the block wrote
            booking = await repo.bookings.get(booking_id)
            lead = await repo.leads.get(lead_id)
            if booking is None or lead is None or booking.lead_id != lead_id:
                raise _Undo(Refusal.stale)
            closed = await repo.bookings.close(booking_id, BookingState.cancelled, now, reason)
            if closed is None:
                raise _Undo(Refusal.stale)
            if lead.status == LeadStatus.scheduled:
                back = _status_after_cancel(lead, booking)
                await repo.pipeline.move(
                    lead_id, actor_id, "",
                    lambda row: Move(back, reason=reason, event=BookingEvent.cancelled),
                    now=now,
                )
            await _card(repo, lead_id, BookingEvent.cancelled, booking_id, str(booking_id))
            await schedule.replace(booking_id, lead_id, [])
            return closed
    except _Undo:
        return None


async def confirm(
    repo: Repositories, *, lead_id: int, booking_id: int, now: float
) -> BookingRow | None:
    """«Подтверждаю»: the owner will come (None: not their active booking)."""
    _require_unit(repo)
    booking = await repo.bookings.get(booking_id)
    if booking is None or booking.lead_id != lead_id or not booking.active:
        return None
    if booking.confirmed_at is None and await repo.bookings.confirm(booking_id, now):
        await _card(repo, lead_id, "confirmed", booking_id, str(booking_id))
    return await repo.bookings.get(booking_id)


async def closing_event(
    repo: Repositories, lead: LeadRow, to_status: str
) -> tuple[BookingEvent, float | None] | None:
    """The history event a consultant's move records about the lead's active booking
    (held, no-show, cancelled by a refusal) and the slot it is about; None: none."""
    closing = CLOSED_BY_STATUS.get(to_status)
    if closing is None:
        return None
    booking = await repo.bookings.active_for_lead(lead.id)
    if booking is None:
        return (closing[1], None) if to_status == LeadStatus.no_show else None
    return closing[1], booking.starts_at


async def close_after_move(
    repo: Repositories, schedule: ReminderSchedule, *, lead: LeadRow, now: float
) -> BookingRow | None:
    """After a consultant moved the lead: its active booking was held, missed or is
    cancelled by a refusal (its slot freed, its reminders dropped)."""
    closing = CLOSED_BY_STATUS.get(lead.status)
    if closing is None:
        return None
    booking = await repo.bookings.active_for_lead(lead.id)
    if booking is None:
        return None
    closed = await repo.bookings.close(booking.id, closing[0], now)
    if closed is not None:
        await schedule.replace(booking.id, lead.id, [])
    return closed


async def choose_call_time(
    repo: Repositories, *, lead_id: int, call_time: str, now: float
) -> bool:
    """«Другое время»: the owner named a convenient call time instead of a slot."""
    _require_unit(repo)
    if not await repo.leads.set_call_time(lead_id, call_time, now):
        return False
    await _card(repo, lead_id, "other_time", None, f"{now:.3f}")
    return True


async def replan_reminders(
    repo: Repositories, schedule: ReminderSchedule, user_id: int, now: float
) -> bool:
    """The owner turned reminders back on (/start after /stop, or unblocked the bot): the
    reminders still ahead of their active booking are planned again. True when there was one."""
    lead = await repo.leads.for_user(user_id)
    booking = await repo.bookings.active_for_lead(lead.id) if lead is not None else None
    if lead is None or booking is None:
        return False
    await schedule.replace(booking.id, lead.id, reminders_for(booking, now))
    return True
