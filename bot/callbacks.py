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
