"""The bot's domain words, defined once: lead statuses, funnel steps, outbox kinds, reminder
kinds, sources.

Pure: no I/O, no aiogram. Values are what the database stores and callback data carries, so
they never change once released (add new members instead). Everything else imports these;
nothing redefines them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class LeadStatus(StrEnum):
    """In the order consultants see them listed."""

    new = "new"
    claimed = "claimed"
    contacted = "contacted"
    scheduled = "scheduled"
    done = "done"
    no_show = "no_show"  # booked, did not come: still open (to be booked again)
    lost = "lost"
    unqualified = "unqualified"  # below the thresholds: stored, not a lead for consultants


OPEN_STATUSES = (
    LeadStatus.new, LeadStatus.claimed, LeadStatus.contacted, LeadStatus.scheduled,
    LeadStatus.no_show,
)
CLOSED_STATUSES = (LeadStatus.done, LeadStatus.lost, LeadStatus.unqualified)
PIPELINE = (
    LeadStatus.new,
    LeadStatus.claimed,
    LeadStatus.contacted,
    LeadStatus.scheduled,
    LeadStatus.done,
)
"""The way a lead goes when all is well; /stats shows the conversion between neighbours."""


class FunnelStep(StrEnum):
    """An owner's steps, in funnel order (`lesson_<n>` steps are made by `lesson_step`)."""

    start = "start"
    lesson_1 = "lesson_1"
    lesson_2 = "lesson_2"
    lesson_3 = "lesson_3"
    lesson_4 = "lesson_4"
    lessons_done = "lessons_done"
    diagnostic_started = "diagnostic_started"
    qualified = "qualified"
    consent = "consent"
    lead_submitted = "lead_submitted"
    claimed = "claimed"
    contacted = "contacted"
    scheduled = "scheduled"
    done = "done"
    # Side steps: logged, not on the funnel's main line.
    not_qualified = "not_qualified"
    lost = "lost"
    # A reminder was sent (`nudge_step(kind)`): logged, not on the funnel's line.
    nudge_lesson = "nudge_lesson"
    nudge_offer = "nudge_offer"
    nudge_diagnostic = "nudge_diagnostic"
    nudge_daily_lesson = "nudge_daily_lesson"
    nudge_booking_24h = "nudge_booking_24h"
    nudge_booking_1h = "nudge_booking_1h"
    nudge_booking_group_15m = "nudge_booking_group_15m"


SIDE_STEPS = (FunnelStep.not_qualified, FunnelStep.lost)
NUDGE_STEPS = tuple(step for step in FunnelStep if step.startswith("nudge_"))
FUNNEL_LINE = tuple(
    step for step in FunnelStep if step not in SIDE_STEPS and step not in NUDGE_STEPS
)


def lesson_step(number: int) -> str:
    """The funnel step of opening lesson `number` (1-based)."""
    return f"lesson_{number}"


class OutboxKind(StrEnum):
    """What an outbox row asks the sender to do (bot/outbox/deliveries.py)."""

    lead_card = "lead_card"
    lead_erased = "lead_erased"
    sla_reminder = "sla_reminder"
    admin_alert = "admin_alert"
    referrer_thanks = "referrer_thanks"
    # The relay between an owner and the consultants (bot/outbox/relay.py).
    relay_to_group = "relay_in"  # an owner's message into the lead's thread
    relay_to_owner = "relay_out"  # a consultant's message to the owner
    relay_edit = "relay_edit"  # an edit of a relayed message, on the copy's side
    relay_refused = "relay_refused"  # the thread is told a message did not reach the owner
    topic_notice = "topic_notice"  # the group's general topic learns of a lead's new topic


class Assignment(StrEnum):
    """Who gets a new lead (ASSIGNMENT): whoever claims it, or the next consultant on duty."""

    manual = "manual"
    round_robin = "round_robin"


class NudgeKind(StrEnum):
    """What a scheduled follow-up is about (bot/nudges/kinds.py says how each is sent)."""

    lesson = "lesson"  # lessons left unfinished: open the next one
    offer = "offer"  # lessons finished, no request: the free diagnostic
    diagnostic = "diagnostic"  # a request started and left: resume it at that question
    daily_lesson = "daily_lesson"  # LESSONS_PACE=daily: the next lesson comes by itself
    # A booked diagnostic (bot/booking/reminders.py plans them, bot/nudges/bookings.py says
    # them): to the owner a day and an hour before, to the consultants 15 minutes before.
    booking_day_before = "booking_24h"
    booking_hour_before = "booking_1h"
    booking_group = "booking_group_15m"


BOOKING_KINDS = (
    NudgeKind.booking_day_before, NudgeKind.booking_hour_before, NudgeKind.booking_group,
)
STAFF_KINDS = (NudgeKind.booking_group,)
"""Reminders to the consultants, not the owner: the owner's /stop or block leaves them."""


def nudge_step(kind: NudgeKind) -> FunnelStep:
    """The funnel event that records a sent reminder of `kind`."""
    return FunnelStep(f"nudge_{kind}")


class BookingState(StrEnum):
    """Where a booking of a diagnostic slot is (`bookings.state`)."""

    active = "active"  # holds its slot
    moved = "moved"  # rescheduled: a newer booking of the same lead holds the new slot
    cancelled = "cancelled"  # by the owner (with an optional reason) or by a refusal
    held = "held"  # the diagnostic took place
    no_show = "no_show"  # the owner did not come


class BookingEvent(StrEnum):
    """What a status history row about a booking records (`lead_history.event`)."""

    booked = "booked"
    moved = "moved"
    cancelled = "cancelled"
    held = "held"
    no_show = "no_show"


class SegmentAnswer(BaseModel):
    """One source of the «озеро дохода» as the lead keeps it."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    share: int | None = None  # percent of revenue, when the owner knew it


class LeadAnswers(BaseModel):
    """The answers about the company a lead keeps (`leads.answers`, JSON by these names)."""

    model_config = ConfigDict(extra="ignore")

    turnover: str | None = None
    years: str | None = None
    dept_type: int | None = None
    lead_source: str | None = None
    segments: list[SegmentAnswer] | None = None
    strategic: int | None = None  # the owner's pick among several segments


DIRECT_SOURCE = "direct"  # an owner whose first /start carried no source
REFERRAL_SOURCE = "referral"  # an owner who came by another owner's personal link
# Other sources are the channels of tracked links (`src_<source>`, bot/attribution.py).

REF_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
REF_CODE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class Touch:
    """Where an owner came from, as a start payload says; all None when it says nothing."""

    source: str | None = None
    campaign: str | None = None
    ref_code: str | None = None  # the inviter's personal code
    diagnostic: bool = False  # open the request right away


def new_ref_code() -> str:
    """An owner's opaque personal code for invitation links."""
    return "".join(secrets.choice(REF_CODE_ALPHABET) for _ in range(REF_CODE_LENGTH))
