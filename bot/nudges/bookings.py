"""What a reminder of a booked diagnostic says when it falls due, and whether it still holds.

The owner's (a day and an hour before) go to their private chat with «Подтверждаю»,
«Перенести», «Отменить» (bot/flows/booking/views.py); the consultants' (15 minutes before)
goes to the group as a reply to the lead's card, in its topic if it has one
(bot/group/views/agenda.py). None — the reminder is dropped — when the booking is no longer
active (moved, cancelled, closed: the step that did it has normally deleted the reminder
already), when it has begun, when the day-before reminder is so late that the hour-before
one says it, or when the lead has no card to answer.
"""

from __future__ import annotations

from aiogram.methods import SendMessage
from aiogram.types import ReplyParameters

from bot.config import Settings
from bot.content import Content
from bot.db.nudges import NudgeRow
from bot.db.repos import Repositories
from bot.domain import NudgeKind
from bot.flows.booking.views import owner_reminder
from bot.group.views.agenda import group_reminder

HOUR = 3600.0


async def compose(
    repo: Repositories, nudge: NudgeRow, content: Content, settings: Settings, now: float
) -> list[SendMessage] | None:
    booking_id = nudge.payload.get("booking")
    if not isinstance(booking_id, int) or isinstance(booking_id, bool):
        return None
    booking = await repo.bookings.get(booking_id)
    if booking is None or not booking.active or now >= booking.starts_at:
        return None
    kind = NudgeKind(nudge.kind)
    if kind is NudgeKind.booking_group:
        lead = await repo.leads.get(booking.lead_id)
        card = await repo.cards.get(booking.lead_id)
        if lead is None or card is None:
            return None
        return [SendMessage(
            chat_id=card.chat_id,
            text=group_reminder(lead, booking, content, settings),
            message_thread_id=card.thread_id,
            reply_parameters=ReplyParameters(
                message_id=card.message_id, allow_sending_without_reply=True
            ),
        )]
    if kind is NudgeKind.booking_day_before and now >= booking.starts_at - HOUR:
        return None
    text, markup = owner_reminder(booking, kind, content, settings, now)
    return [SendMessage(chat_id=nudge.user_id, text=text, reply_markup=markup)]
