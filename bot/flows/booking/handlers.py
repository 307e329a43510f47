"""The owner books the diagnostic: free days, a day's times, the booking itself, /booking,
«Подтверждаю» / «Перенести» / «Отменить» and «Другое время».

Callback data is untrusted: the pressed day or time is checked against what is free now
(a time taken or passed meanwhile says so and shows the day's free times again), a booking
id must be the presser's own active booking, and only buttons the bot makes are taken. The
change itself is bot/booking/service.py, in the update's transaction, so the booking and
the confirmation the owner is sent commit together.
"""

from __future__ import annotations

import datetime as dt

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.booking import service
from bot.booking.reminders import ReminderSchedule
from bot.booking.slots import Rules, Slot, booking_days, day_window, free_days, free_slots, horizon
from bot.callbacks import BookAction, BookCb, BookDayCb, BookTimeCb, CallTimeCb
from bot.clock import Clock
from bot.db.bookings import BookingRow
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.flows.booking import keyboards as kb
from bot.flows.booking import views
from bot.flows.conversation import Conversation
from bot.flows.diagnostic.questionnaire import CALL_TIME
from bot.text_input import clean_text

REASON_LIMIT = 500
CANCELLING = "cancelling_booking"  # FSM data key: the booking a typed reason cancels


class BookingStates(StatesGroup):
    other_time = State()  # «Другое время»: waiting for a convenient call time
    cancel_reason = State()  # «Отменить»: waiting for an optional reason


OUR_STATES = frozenset({BookingStates.other_time.state, BookingStates.cancel_reason.state})


def _pressed(talk: Conversation, query: CallbackQuery, data: CallbackData) -> Message | None:
    """The message whose button was pressed, when the press is genuine (None: the presser
    was told the button is stale)."""
    message = query.message
    if query.data != data.pack() or not isinstance(message, Message):
        talk.reply(query.answer(talk.content.label("booking_alerts.stale"), show_alert=True))
        return None
    return message


def _say(
    talk: Conversation, text: str, markup: InlineKeyboardMarkup | None,
    edit: Message | None = None,
) -> None:
    """Send, or edit `edit` in place (sent anew if it can no longer be edited)."""
    fresh = SendMessage(chat_id=talk.chat_id, text=text, reply_markup=markup)
    if edit is None:
        talk.reply(fresh)
    else:
        talk.reply(edit.edit_text(text, reply_markup=markup), otherwise=fresh)


async def _leave_our_state(state: FSMContext) -> None:
    if await state.get_state() in OUR_STATES:
        await state.set_state(None)


async def offer_days(
    talk: Conversation, now: float, *, moving: BookingRow | None = None,
    edit: Message | None = None,
) -> None:
    """The days with a free time (for a new booking, or to move `moving`)."""
    rules = Rules.of(talk.settings)
    overrides, taken = await talk.repo.bookings.around(*horizon(now, rules))
    free = free_days(now, rules, overrides, taken)
    text, markup = views.days(free, moving, talk.content, talk.settings)
    _say(talk, text, markup, edit)


async def offer_after_submit(talk: Conversation, lead: LeadRow, now: float) -> None:
    """After a qualified request: the free days — or the booking it already has."""
    if not talk.settings.booking or not service.bookable(lead):
        return
    current = await talk.repo.bookings.active_for_lead(lead.id)
    if current is not None:
        text, markup = views.show(current, talk.content, talk.settings)
        _say(talk, text, markup)
        return
    await offer_days(talk, now)


async def _day_times(
    talk: Conversation, day: dt.date, moving: int, problem: str, now: float, edit: Message
) -> bool:
    """Show the day's free times in `edit`; False when it has none (nothing shown)."""
    rules = Rules.of(talk.settings)
    if day not in booking_days(now, rules):
        return False
    overrides, taken = await talk.repo.bookings.around(*day_window(day, rules.tz))
    slots = free_slots(day, now, rules, overrides, taken)
    if not slots:
        return False
    text, markup = views.times(day, slots, moving, problem, talk.content, talk.settings)
    _say(talk, text, markup, edit)
    return True


async def _own_booking(
    repo: Repositories, user_id: int, booking_id: int
) -> tuple[LeadRow | None, BookingRow | None]:
    """The presser's lead and, if `booking_id` is its active booking, that booking."""
    lead = await repo.leads.for_user(user_id)
    if lead is None or booking_id <= 0:
        return lead, None
    booking = await repo.bookings.active_for_lead(lead.id)
    return lead, booking if booking is not None and booking.id == booking_id else None


# -- /booking -----------------------------------------------------------------------------


async def on_booking_command(message: Message, talk: Conversation, clock: Clock) -> None:
    reply, repo, content, settings = talk.reply, talk.repo, talk.content, talk.settings
    await _leave_our_state(talk.state)
    lead = await repo.leads.for_user(talk.user_id)
    current = await repo.bookings.active_for_lead(lead.id) if lead is not None else None
    if current is not None:  # shown even when booking was turned off since
        text, markup = views.show(current, content, settings)
        reply(message.answer(text, reply_markup=markup))
        return
    if not settings.booking:
        reply(message.answer(content.render("booking/off.html")))
        return
    if lead is None or not lead.qualified:
        reply(message.answer(content.render("booking/no_lead.html")))
        return
    if not service.bookable(lead):
        reply(message.answer(content.render(
            "booking/closed.html", status=content.label(f"lead_status.{lead.status}")
        )))
        return
    await offer_days(talk, clock.now())


# -- days and times -----------------------------------------------------------------------


async def on_day(
    query: CallbackQuery, callback_data: BookDayCb, talk: Conversation, clock: Clock
) -> None:
    message = _pressed(talk, query, callback_data)
    if message is None:
        return
    reply, content = talk.reply, talk.content
    lead, moving = await _own_booking(talk.repo, talk.user_id, callback_data.r)
    if (
        not talk.settings.booking or not service.bookable(lead)
        or (callback_data.r and moving is None)
    ):
        key = "stale" if callback_data.r and service.bookable(lead) else "not_open"
        reply(query.answer(content.label(f"booking_alerts.{key}"), show_alert=True))
        return
    now = clock.now()
    day = kb.code_day(callback_data.d)
    if day is not None and await _day_times(talk, day, callback_data.r, "", now, message):
        reply(query.answer())
        return
    reply(query.answer(content.label("booking_alerts.no_times"), show_alert=True))
    await offer_days(talk, now, moving=moving, edit=message)


async def on_time(
    query: CallbackQuery, callback_data: BookTimeCb, talk: Conversation, clock: Clock,
    reminders: ReminderSchedule,
) -> None:
    message = _pressed(talk, query, callback_data)
    if message is None:
        return
    reply, repo, content, settings = talk.reply, talk.repo, talk.content, talk.settings
    lead = await repo.leads.for_user(talk.user_id)
    if lead is None or not settings.booking:
        reply(query.answer(content.label("booking_alerts.not_open"), show_alert=True))
        return
    now = clock.now()
    rules = Rules.of(settings)
    slot = Slot(callback_data.t, callback_data.t + rules.length)
    booked = await service.book(
        repo, reminders, lead_id=lead.id, slot=slot, rules=rules, now=now,
        actor_id=talk.user_id, replacing=callback_data.r or None,
    )
    if booked.booking is not None:
        await _leave_our_state(talk.state)
        reply(query.answer(content.label("booking_alerts.booked")))
        await _confirm(talk, message, booked.booking, booked.previous is not None)
        return
    refusal = booked.refusal
    if refusal in (service.Refusal.taken, service.Refusal.passed, service.Refusal.closed):
        assert refusal is not None
        reply(query.answer(content.label(f"booking_alerts.{refusal}")))
        day = views.local(slot.start, settings.timezone).date()
        if not await _day_times(talk, day, callback_data.r, refusal, now, message):
            moving = await repo.bookings.get(callback_data.r) if callback_data.r else None
            active = moving if moving is not None and moving.active else None
            await offer_days(talk, now, moving=active, edit=message)
        return
    key = {
        service.Refusal.booked: "already", service.Refusal.same: "same",
        service.Refusal.stale: "stale",
    }.get(refusal, "not_open")  # type: ignore[call-overload]
    reply(query.answer(content.label(f"booking_alerts.{key}"), show_alert=True))


async def _confirm(
    talk: Conversation, message: Message, booking: BookingRow, moved: bool
) -> None:
    """The pressed message records the choice; then the confirmation and the .ics file."""
    content, settings = talk.content, talk.settings
    lead = await talk.repo.leads.get(booking.lead_id)
    assert lead is not None
    _say(talk, views.chosen(booking, content, settings), None, message)
    text, markup = views.confirmation(booking, lead, moved, content, settings)
    talk.reply(SendMessage(chat_id=talk.chat_id, text=text, reply_markup=markup))
    talk.reply(SendDocument(
        chat_id=talk.chat_id, document=views.calendar_file(booking, content, settings),
        caption=views.calendar_caption(booking, content, settings),
    ))


# -- the booking's buttons ------------------------------------------------------------------


async def on_booking_button(
    query: CallbackQuery, callback_data: BookCb, talk: Conversation, clock: Clock,
    reminders: ReminderSchedule,
) -> None:
    message = _pressed(talk, query, callback_data)
    if message is None:
        return
    reply, state, content, settings = talk.reply, talk.state, talk.content, talk.settings
    action, now, chat_id = callback_data.a, clock.now(), talk.chat_id
    lead, booking = await _own_booking(talk.repo, talk.user_id, callback_data.b)
    if action is BookAction.other_time:
        if not service.bookable(lead):
            reply(query.answer(content.label("booking_alerts.not_open"), show_alert=True))
            return
        reply(query.answer())
        await state.set_state(BookingStates.other_time)
        reply(SendMessage(chat_id=chat_id, text=content.render(CALL_TIME.template),
                          reply_markup=kb.call_times(content)))
        return
    if action is BookAction.days and not callback_data.b:
        if not settings.booking or not service.bookable(lead):
            reply(query.answer(content.label("booking_alerts.not_open"), show_alert=True))
            return
        reply(query.answer())
        await offer_days(talk, now, edit=message)
        return
    if booking is None or lead is None:
        reply(query.answer(content.label("booking_alerts.stale"), show_alert=True))
        return
    if action is BookAction.days or action is BookAction.move:
        reply(query.answer())
        await offer_days(talk, now, moving=booking,
                         edit=message if action is BookAction.days else None)
    elif action is BookAction.confirm:
        await service.confirm(talk.repo, lead_id=lead.id, booking_id=booking.id, now=now)
        reply(query.answer(content.label("booking_alerts.confirmed")))
        reply(SendMessage(
            chat_id=chat_id, text=views.about("booking/confirm_thanks.html", booking, content,
                                              settings),
        ))
    elif action is BookAction.cancel:
        reply(query.answer())
        await state.set_state(BookingStates.cancel_reason)
        await state.update_data({CANCELLING: booking.id})
        reply(SendMessage(
            chat_id=chat_id, text=views.about("booking/cancel_ask.html", booking, content,
                                              settings),
            reply_markup=kb.cancel_prompt(content, booking.id),
        ))
    elif action is BookAction.cancel_now:
        await _cancel(talk, lead, booking, None, now, reminders)
        reply(query.answer(content.label("booking_alerts.cancelled")))
        reply(message.edit_reply_markup(reply_markup=None))
    else:  # keep
        await _leave_our_state(state)
        reply(query.answer(content.label("booking_alerts.kept")))
        _say(talk, views.about("booking/kept.html", booking, content, settings), None, message)


async def _cancel(
    talk: Conversation, lead: LeadRow, booking: BookingRow, reason: str | None, now: float,
    reminders: ReminderSchedule | None,
) -> None:
    await _leave_our_state(talk.state)
    closed = await service.cancel(
        talk.repo, reminders, lead_id=lead.id, booking_id=booking.id,
        reason=reason, now=now, actor_id=lead.user_id,
    )
    content = talk.content
    if closed is None:  # changed meanwhile: say what is true now
        talk.reply(SendMessage(chat_id=talk.chat_id, text=content.label("booking_alerts.stale")))
        return
    talk.reply(SendMessage(
        chat_id=talk.chat_id,
        text=views.about("booking/cancelled.html", closed, content, talk.settings),
    ))


# -- typed answers: a cancel reason, a convenient call time -----------------------------------


async def on_cancel_reason(
    message: Message, talk: Conversation, clock: Clock, reminders: ReminderSchedule
) -> None:
    assert message.text is not None
    data = await talk.state.get_data()
    lead, booking = await _own_booking(talk.repo, talk.user_id, int(data.get(CANCELLING) or 0))
    if lead is None or booking is None:
        await _leave_our_state(talk.state)
        talk.reply(message.answer(talk.content.label("booking_alerts.stale")))
        return
    reason = clean_text(message.text, REASON_LIMIT, need_letters=False).value
    await _cancel(talk, lead, booking, reason, clock.now(), reminders)


async def on_call_time_button(
    query: CallbackQuery, callback_data: CallTimeCb, talk: Conversation, clock: Clock
) -> None:
    message = _pressed(talk, query, callback_data)
    if message is None:
        return
    reply, content = talk.reply, talk.content
    if callback_data.v not in CALL_TIME.codes:
        reply(query.answer(content.label("booking_alerts.stale"), show_alert=True))
        return
    label = content.label(f"{CALL_TIME.labels}.{callback_data.v}")
    if await _call_time(talk, label, clock.now()):
        reply(query.answer())
        reply(message.edit_reply_markup(reply_markup=None))
    else:
        reply(query.answer(content.label("booking_alerts.not_open"), show_alert=True))


async def on_call_time_text(message: Message, talk: Conversation, clock: Clock) -> None:
    assert message.text is not None
    reply, content = talk.reply, talk.content
    check = clean_text(message.text, CALL_TIME.limit)
    if check.value is None:
        reply(message.answer(content.render(CALL_TIME.template), reply_markup=kb.call_times(content)))
        return
    if not await _call_time(talk, check.value, clock.now()):
        reply(message.answer(content.label("booking_alerts.not_open")))


async def _call_time(talk: Conversation, call_time: str, now: float) -> bool:
    lead = await talk.repo.leads.for_user(talk.user_id)
    if not service.bookable(lead):
        await _leave_our_state(talk.state)
        return False
    assert lead is not None
    await service.choose_call_time(talk.repo, lead_id=lead.id, call_time=call_time, now=now)
    await _leave_our_state(talk.state)
    talk.reply(SendMessage(
        chat_id=talk.chat_id,
        text=talk.content.render("booking/call_time_saved.html", call_time=call_time),
    ))
    return True
