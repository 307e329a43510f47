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
from bot.config import Settings
from bot.content import Content
from bot.db.bookings import BookingRow
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.flows.booking import keyboards as kb
from bot.flows.booking import views
from bot.flows.diagnostic.questionnaire import CALL_TIME
from bot.text_input import clean_text

REASON_LIMIT = 500
CANCELLING = "cancelling_booking"  # FSM data key: the booking a typed reason cancels


class BookingStates(StatesGroup):
    other_time = State()  # «Другое время»: waiting for a convenient call time
    cancel_reason = State()  # «Отменить»: waiting for an optional reason


OUR_STATES = frozenset({BookingStates.other_time.state, BookingStates.cancel_reason.state})


def _pressed(
    query: CallbackQuery, data: CallbackData, reply: Replies, content: Content
) -> Message | None:
    """The message whose button was pressed, when the press is genuine (None: the presser
    was told the button is stale)."""
    message = query.message
    if query.data != data.pack() or not isinstance(message, Message):
        reply(query.answer(content.label("booking_alerts.stale"), show_alert=True))
        return None
    return message


def _say(
    reply: Replies, chat_id: int, text: str, markup: InlineKeyboardMarkup | None,
    edit: Message | None = None,
) -> None:
    """Send, or edit `edit` in place (sent anew if it can no longer be edited)."""
    fresh = SendMessage(chat_id=chat_id, text=text, reply_markup=markup)
    if edit is None:
        reply(fresh)
    else:
        reply(edit.edit_text(text, reply_markup=markup), otherwise=fresh)


async def _leave_our_state(state: FSMContext) -> None:
    if await state.get_state() in OUR_STATES:
        await state.set_state(None)


async def offer_days(
    reply: Replies, chat_id: int, repo: Repositories, content: Content, settings: Settings,
    now: float, *, moving: BookingRow | None = None, edit: Message | None = None,
) -> None:
    """The days with a free time (for a new booking, or to move `moving`)."""
    rules = Rules.of(settings)
    overrides, taken = await repo.bookings.around(*horizon(now, rules))
    free = free_days(now, rules, overrides, taken)
    text, markup = views.days(free, moving, content, settings)
    _say(reply, chat_id, text, markup, edit)


async def offer_after_submit(
    reply: Replies, chat_id: int, lead: LeadRow, repo: Repositories, content: Content,
    settings: Settings, now: float,
) -> None:
    """After a qualified request: the free days — or the booking it already has."""
    if not settings.booking or not service.bookable(lead):
        return
    current = await repo.bookings.active_for_lead(lead.id)
    if current is not None:
        text, markup = views.show(current, content, settings)
        _say(reply, chat_id, text, markup)
        return
    await offer_days(reply, chat_id, repo, content, settings, now)


async def _day_times(
    reply: Replies, chat_id: int, day: dt.date, moving: int, problem: str,
    repo: Repositories, content: Content, settings: Settings, now: float, edit: Message,
) -> bool:
    """Show the day's free times in `edit`; False when it has none (nothing shown)."""
    rules = Rules.of(settings)
    if day not in booking_days(now, rules):
        return False
    overrides, taken = await repo.bookings.around(*day_window(day, rules.tz))
    slots = free_slots(day, now, rules, overrides, taken)
    if not slots:
        return False
    text, markup = views.times(day, slots, moving, problem, content, settings)
    _say(reply, chat_id, text, markup, edit)
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


async def on_booking_command(
    message: Message, reply: Replies, state: FSMContext, repo: Repositories, content: Content,
    settings: Settings, clock: Clock,
) -> None:
    assert message.from_user is not None
    await _leave_our_state(state)
    lead = await repo.leads.for_user(message.from_user.id)
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
    await offer_days(reply, message.chat.id, repo, content, settings, clock.now())


# -- days and times -----------------------------------------------------------------------


async def on_day(
    query: CallbackQuery, callback_data: BookDayCb, reply: Replies, repo: Repositories,
    content: Content, settings: Settings, clock: Clock,
) -> None:
    message = _pressed(query, callback_data, reply, content)
    if message is None:
        return
    lead, moving = await _own_booking(repo, query.from_user.id, callback_data.r)
    if not settings.booking or not service.bookable(lead) or (callback_data.r and moving is None):
        key = "stale" if callback_data.r and service.bookable(lead) else "not_open"
        reply(query.answer(content.label(f"booking_alerts.{key}"), show_alert=True))
        return
    now = clock.now()
    day = kb.code_day(callback_data.d)
    if day is not None and await _day_times(
        reply, message.chat.id, day, callback_data.r, "", repo, content, settings, now, message
    ):
        reply(query.answer())
        return
    reply(query.answer(content.label("booking_alerts.no_times"), show_alert=True))
    await offer_days(reply, message.chat.id, repo, content, settings, now, moving=moving,
                     edit=message)


async def on_time(
    query: CallbackQuery, callback_data: BookTimeCb, reply: Replies, state: FSMContext,
    repo: Repositories, content: Content, settings: Settings, clock: Clock,
    reminders: ReminderSchedule,
) -> None:
    message = _pressed(query, callback_data, reply, content)
    if message is None:
        return
    lead = await repo.leads.for_user(query.from_user.id)
    if lead is None or not settings.booking:
        reply(query.answer(content.label("booking_alerts.not_open"), show_alert=True))
        return
    now = clock.now()
    rules = Rules.of(settings)
    slot = Slot(callback_data.t, callback_data.t + rules.length)
    booked = await service.book(
        repo, reminders, lead_id=lead.id, slot=slot, rules=rules, now=now,
        actor_id=query.from_user.id, replacing=callback_data.r or None,
    )
    if booked.booking is not None:
        await _leave_our_state(state)
        reply(query.answer(content.label("booking_alerts.booked")))
        await _confirm(reply, message, booked.booking, booked.previous is not None, repo,
                       content, settings)
        return
    refusal = booked.refusal
    if refusal in (service.Refusal.taken, service.Refusal.passed, service.Refusal.closed):
        assert refusal is not None
        reply(query.answer(content.label(f"booking_alerts.{refusal}")))
        day = views.local(slot.start, settings.timezone).date()
        if not await _day_times(reply, message.chat.id, day, callback_data.r, refusal, repo,
                                content, settings, now, message):
            moving = await repo.bookings.get(callback_data.r) if callback_data.r else None
            await offer_days(reply, message.chat.id, repo, content, settings, now,
                             moving=moving if moving is not None and moving.active else None,
                             edit=message)
        return
    key = {
        service.Refusal.booked: "already", service.Refusal.same: "same",
        service.Refusal.stale: "stale",
    }.get(refusal, "not_open")  # type: ignore[call-overload]
    reply(query.answer(content.label(f"booking_alerts.{key}"), show_alert=True))


async def _confirm(
    reply: Replies, message: Message, booking: BookingRow, moved: bool, repo: Repositories,
    content: Content, settings: Settings,
) -> None:
    """The pressed message records the choice; then the confirmation and the .ics file."""
    lead = await repo.leads.get(booking.lead_id)
    assert lead is not None
    chat_id = message.chat.id
    _say(reply, chat_id, views.chosen(booking, content, settings), None, message)
    text, markup = views.confirmation(booking, lead, moved, content, settings)
    reply(SendMessage(chat_id=chat_id, text=text, reply_markup=markup))
    reply(SendDocument(
        chat_id=chat_id, document=views.calendar_file(booking, content, settings),
        caption=views.calendar_caption(booking, content, settings),
    ))


# -- the booking's buttons ------------------------------------------------------------------


async def on_booking_button(
    query: CallbackQuery, callback_data: BookCb, reply: Replies, state: FSMContext,
    repo: Repositories, content: Content, settings: Settings, clock: Clock,
    reminders: ReminderSchedule,
) -> None:
    message = _pressed(query, callback_data, reply, content)
    if message is None:
        return
    action, now = callback_data.a, clock.now()
    chat_id = message.chat.id
    lead, booking = await _own_booking(repo, query.from_user.id, callback_data.b)
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
        await offer_days(reply, chat_id, repo, content, settings, now, edit=message)
        return
    if booking is None or lead is None:
        reply(query.answer(content.label("booking_alerts.stale"), show_alert=True))
        return
    if action is BookAction.days or action is BookAction.move:
        reply(query.answer())
        await offer_days(reply, chat_id, repo, content, settings, now, moving=booking,
                         edit=message if action is BookAction.days else None)
    elif action is BookAction.confirm:
        await service.confirm(repo, lead_id=lead.id, booking_id=booking.id, now=now)
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
        await _cancel(reply, chat_id, lead, booking, None, state, repo, content, settings, now,
                      reminders)
        reply(query.answer(content.label("booking_alerts.cancelled")))
        reply(message.edit_reply_markup(reply_markup=None))
    else:  # keep
        await _leave_our_state(state)
        reply(query.answer(content.label("booking_alerts.kept")))
        _say(reply, chat_id, views.about("booking/kept.html", booking, content, settings), None,
             message)


async def _cancel(
    reply: Replies, chat_id: int, lead: LeadRow, booking: BookingRow, reason: str | None,
    state: FSMContext, repo: Repositories, content: Content, settings: Settings, now: float,
    reminders: ReminderSchedule | None,
) -> None:
    await _leave_our_state(state)
    closed = await service.cancel(
        repo, reminders, lead_id=lead.id, booking_id=booking.id,
        reason=reason, now=now, actor_id=lead.user_id,
    )
    if closed is None:  # changed meanwhile: say what is true now
        reply(SendMessage(chat_id=chat_id, text=content.label("booking_alerts.stale")))
        return
    reply(SendMessage(
        chat_id=chat_id, text=views.about("booking/cancelled.html", closed, content, settings)
    ))


# -- typed answers: a cancel reason, a convenient call time -----------------------------------


async def on_cancel_reason(
    message: Message, reply: Replies, state: FSMContext, repo: Repositories, content: Content,
    settings: Settings, clock: Clock, reminders: ReminderSchedule,
) -> None:
    assert message.from_user is not None and message.text is not None
    data = await state.get_data()
    lead, booking = await _own_booking(repo, message.from_user.id, int(data.get(CANCELLING) or 0))
    if lead is None or booking is None:
        await _leave_our_state(state)
        reply(message.answer(content.label("booking_alerts.stale")))
        return
    reason = clean_text(message.text, REASON_LIMIT, need_letters=False).value
    await _cancel(reply, message.chat.id, lead, booking, reason, state, repo, content, settings,
                  clock.now(), reminders)


async def on_call_time_button(
    query: CallbackQuery, callback_data: CallTimeCb, reply: Replies, state: FSMContext,
    repo: Repositories, content: Content, clock: Clock,
) -> None:
    message = _pressed(query, callback_data, reply, content)
    if message is None:
        return
    if callback_data.v not in CALL_TIME.codes:
        reply(query.answer(content.label("booking_alerts.stale"), show_alert=True))
        return
    label = content.label(f"{CALL_TIME.labels}.{callback_data.v}")
    if await _call_time(reply, message.chat.id, query.from_user.id, label, state, repo, content,
                        clock.now()):
        reply(query.answer())
        reply(message.edit_reply_markup(reply_markup=None))
    else:
        reply(query.answer(content.label("booking_alerts.not_open"), show_alert=True))


async def on_call_time_text(
    message: Message, reply: Replies, state: FSMContext, repo: Repositories, content: Content,
    clock: Clock,
) -> None:
    assert message.from_user is not None and message.text is not None
    check = clean_text(message.text, CALL_TIME.limit)
    if check.value is None:
        reply(message.answer(content.render(CALL_TIME.template), reply_markup=kb.call_times(content)))
        return
    if not await _call_time(reply, message.chat.id, message.from_user.id, check.value, state,
                            repo, content, clock.now()):
        reply(message.answer(content.label("booking_alerts.not_open")))


async def _call_time(
    reply: Replies, chat_id: int, user_id: int, call_time: str, state: FSMContext,
    repo: Repositories, content: Content, now: float,
) -> bool:
    lead = await repo.leads.for_user(user_id)
    if not service.bookable(lead):
        await _leave_our_state(state)
        return False
    assert lead is not None
    await service.choose_call_time(repo, lead_id=lead.id, call_time=call_time, now=now)
    await _leave_our_state(state)
    reply(SendMessage(
        chat_id=chat_id, text=content.render("booking/call_time_saved.html", call_time=call_time)
    ))
    return True
