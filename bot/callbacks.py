"""Callback data factories: short ASCII prefixes and ids only, never labels (64-byte limit).

Callback data is untrusted input: every handler re-validates ranges and ownership.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class MenuAction(StrEnum):
    lessons = "l"  # start or resume the lessons
    restart = "r"  # reread from lesson 1
    diagnostic = "d"  # open the diagnostic request
    share = "s"  # the owner's personal link


class MenuCb(CallbackData, prefix="m"):
    a: MenuAction


class LessonCb(CallbackData, prefix="ls"):
    """Open lesson `i` (1-based); `i == total + 1` means "finished the lessons"."""

    i: int


class LessonPageCb(CallbackData, prefix="lp"):
    """Turn the message the button is on into lesson `i` («Назад», and «Далее» after it)."""

    i: int


class DiagCb(CallbackData, prefix="dg"):
    """An answer button of the diagnostic: `s` is the step it answers, `v` the value code."""

    s: str
    v: str


class EditCb(CallbackData, prefix="de"):
    """«Edit this field» on the review."""

    f: str


class PrivacyCb(CallbackData, prefix="pv"):
    """Confirmation of /delete_me: `ok` true erases, false keeps everything."""

    ok: bool


class NudgeAction(StrEnum):
    stop = "x"  # «Не напоминать»: no reminders until /start
    lesson = "l"  # open lesson `i` (the lesson reminder's button)
    resume = "r"  # resume the request where the owner stopped
    diagnostic = "d"  # start the free diagnostic (the offer's button)


class NudgeCb(CallbackData, prefix="nd"):
    """A button under a reminder: `a` what it does, `i` the lesson it opens (for `lesson`)."""

    a: NudgeAction
    i: int = 0


class BookAction(StrEnum):
    confirm = "c"  # «Подтверждаю»
    move = "m"  # «Перенести»: the free days again, to reschedule booking `b`
    cancel = "x"  # «Отменить»: asks for an optional reason
    cancel_now = "n"  # cancel without a reason
    keep = "k"  # «Не отменять»
    days = "d"  # back to the free days (from a day's times)
    other_time = "o"  # «Другое время»: name a convenient call time instead


class BookCb(CallbackData, prefix="bk"):
    """A booking button; `b` is the booking it is about (0: none yet)."""

    a: BookAction
    b: int


class BookDayCb(CallbackData, prefix="bd"):
    """A free day (`d` as YYYYMMDD in TIMEZONE); `r` the booking being moved (0: new)."""

    d: int
    r: int


class BookTimeCb(CallbackData, prefix="bt"):
    """A free time (`t`: the slot's start, unix seconds); `r` the booking being moved."""

    t: int
    r: int


class CallTimeCb(CallbackData, prefix="bc"):
    """A convenient call time after «Другое время» (`v`: the call-time code)."""

    v: str
