"""The owner's side of booking the diagnostic (handlers.py), its texts (views.py) and
buttons (keyboards.py). `build_router()` registers the handlers; `offer_after_submit` is
what a qualified request ends with."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from bot.callbacks import BookCb, BookDayCb, BookTimeCb, CallTimeCb
from bot.filters import InChat, Magic
from bot.flows.booking import handlers
from bot.flows.booking.handlers import BookingStates, offer_after_submit

__all__ = ["BookingStates", "build_router", "offer_after_submit"]


def build_router() -> Router:
    router = Router(name="booking")
    router.message.filter(InChat("private"))
    router.callback_query.filter(InChat("private"))
    router.message.register(handlers.on_booking_command, Command("booking"))
    router.callback_query.register(handlers.on_day, BookDayCb.filter())
    router.callback_query.register(handlers.on_time, BookTimeCb.filter())
    router.callback_query.register(handlers.on_booking_button, BookCb.filter())
    router.callback_query.register(handlers.on_call_time_button, CallTimeCb.filter())
    typed = Magic(F.text & ~F.text.startswith("/"))  # a command goes to its own handler
    router.message.register(
        handlers.on_cancel_reason, StateFilter(BookingStates.cancel_reason), typed
    )
    router.message.register(
        handlers.on_call_time_text, StateFilter(BookingStates.other_time), typed
    )
    return router
