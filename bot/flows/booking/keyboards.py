"""Keyboards of booking: free days, a day's free times, the booking's own buttons
(«Подтверждаю», «Перенести», «Отменить»), the cancel prompt and «Другое время»'s call times.
Callback data carries ids, dates and instants only (bot/callbacks.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.booking.slots import Slot
from bot.booking.texts import clock, day_button
from bot.callbacks import BookAction, BookCb, BookDayCb, BookTimeCb, CallTimeCb
from bot.content import Content
from bot.flows.diagnostic.questionnaire import CALL_TIME
from bot.keyboards import built_once

DAYS_PER_ROW = 2
TIMES_PER_ROW = 4


def day_code(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def code_day(code: int) -> dt.date | None:
    try:
        return dt.date(code // 10000, code // 100 % 100, code % 100)
    except ValueError:
        return None


def _button(content: Content, key: str, action: BookAction, booking_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=content.label(f"booking_buttons.{key}"),
        callback_data=BookCb(a=action, b=booking_id).pack(),
    )


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def days(content: Content, free: Sequence[dt.date], moving: int) -> InlineKeyboardMarkup:
    """The free days; «Другое время» below unless a booking is being moved (`moving`)."""
    rows = _rows(
        [
            InlineKeyboardButton(
                text=day_button(content, day),
                callback_data=BookDayCb(d=day_code(day), r=moving).pack(),
            )
            for day in free
        ],
        DAYS_PER_ROW,
    )
    if not moving:
        rows.append([_button(content, "other_time", BookAction.other_time, 0)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def times(
    content: Content, slots: Sequence[Slot], zone: str, moving: int
) -> InlineKeyboardMarkup:
    """A day's free times, then «Другой день» (and «Другое время» for a new booking)."""
    rows = _rows(
        [
            InlineKeyboardButton(
                text=clock(slot.start, zone),
                callback_data=BookTimeCb(t=slot.start, r=moving).pack(),
            )
            for slot in slots
        ],
        TIMES_PER_ROW,
    )
    last = [_button(content, "other_day", BookAction.days, moving)]
    if not moving:
        last.append(_button(content, "other_time", BookAction.other_time, 0))
    rows.append(last)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def booking(content: Content, booking_id: int, *, confirm: bool = True) -> InlineKeyboardMarkup:
    """Under /booking and the reminders: «Подтверждаю», «Перенести», «Отменить»
    (without «Подтверждаю» under the confirmation itself)."""
    row = [
        _button(content, "move", BookAction.move, booking_id),
        _button(content, "cancel", BookAction.cancel, booking_id),
    ]
    rows = [[_button(content, "confirm", BookAction.confirm, booking_id)], row] if confirm else [row]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def cancel_prompt(content: Content, booking_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [_button(content, "cancel_now", BookAction.cancel_now, booking_id)],
        [_button(content, "keep", BookAction.keep, booking_id)],
    ])


@built_once
def call_times(content: Content) -> InlineKeyboardMarkup:
    """The call-time question's options (as the questionnaire declares them)."""
    buttons = [
        InlineKeyboardButton(
            text=content.label(f"{CALL_TIME.labels}.{code}"),
            callback_data=CallTimeCb(v=code).pack(),
        )
        for code in CALL_TIME.codes
    ]
    return InlineKeyboardMarkup(inline_keyboard=_rows(buttons, CALL_TIME.columns))


def sample_keyboards(content: Content) -> Iterable[tuple[str, InlineKeyboardMarkup]]:
    """Every booking keyboard with extreme values (for the content check)."""
    longest = dt.date(2026, 9, 30)  # «среда, 30 сентября»: the longest day label
    far = 2**62  # the largest id
    late = 4_102_444_800  # 2100-01-01: an instant with as many digits as any
    ten_days = [longest + dt.timedelta(days=n) for n in range(10)]
    yield "booking.days", days(content, ten_days, 0)
    yield "booking.days[moving]", days(content, ten_days, far)
    opens = late + 7 * 3600  # 10:00 in Moscow
    slots = [Slot(opens + 3600 * i, opens + 3600 * (i + 1)) for i in range(12)]
    yield "booking.times", times(content, slots, "Europe/Moscow", 0)
    yield "booking.times[moving]", times(content, slots, "Europe/Moscow", far)
    yield "booking.booking", booking(content, far)
    yield "booking.confirmation", booking(content, far, confirm=False)
    yield "booking.cancel", cancel_prompt(content, far)
    yield "booking.call_times", call_times(content)
