"""Keyboards the bot shows in private chats; labels come from content/ui.toml.

Static ones are built once per content (bot/keyboard_cache.py)."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import LessonCb, LessonPageCb, MenuAction, MenuCb
from bot.content import Content
from bot.keyboard_cache import built_once


def _button(content: Content, key: str, data: str, **ctx: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=content.label(f"buttons.{key}", **ctx), callback_data=data)


# The label (buttons.<key> in content/ui.toml) of each menu button.
_MENU_LABELS = {
    MenuAction.lessons: "start_lessons",
    MenuAction.restart: "restart",
    MenuAction.diagnostic: "diagnostic",
    MenuAction.share: "share",
}


def _menu_row(content: Content, action: MenuAction) -> list[InlineKeyboardButton]:
    """A row of one menu button."""
    return [_button(content, _MENU_LABELS[action], MenuCb(a=action).pack())]


def _menu(content: Content, *actions: MenuAction) -> InlineKeyboardMarkup:
    """Menu buttons, one a row, in this order."""
    return InlineKeyboardMarkup(inline_keyboard=[_menu_row(content, a) for a in actions])


@built_once
def greeting(content: Content) -> InlineKeyboardMarkup:
    return _menu(content, MenuAction.lessons, MenuAction.diagnostic)


@built_once
def resume(content: Content, lesson: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "resume", LessonCb(i=lesson).pack(), n=lesson)],
            _menu_row(content, MenuAction.restart),
            _menu_row(content, MenuAction.diagnostic),
        ]
    )


@built_once
def lesson_nav(
    content: Content, index: int, total: int, *, in_place: bool = False
) -> InlineKeyboardMarkup:
    """Back and Next under lesson `index`. «Назад» turns this very message into the previous
    lesson, so going back never adds a copy; «Далее» does the same on a message that was
    turned back (`in_place`), and sends the next lesson as a new message otherwise."""
    row: list[InlineKeyboardButton] = []
    if index > 1:
        row.append(_button(content, "back", LessonPageCb(i=index - 1).pack()))
    if index < total:
        forward = LessonPageCb(i=index + 1) if in_place else LessonCb(i=index + 1)
        row.append(_button(content, "next", forward.pack()))
    else:
        row.append(_button(content, "finish", LessonCb(i=total + 1).pack()))
    return InlineKeyboardMarkup(inline_keyboard=[row, _menu_row(content, MenuAction.diagnostic)])


@built_once
def after_lessons(content: Content) -> InlineKeyboardMarkup:
    return _menu(content, MenuAction.diagnostic, MenuAction.share, MenuAction.restart)


@built_once
def after_submit(content: Content) -> InlineKeyboardMarkup:
    return _menu(content, MenuAction.share, MenuAction.lessons)


def sample_keyboards(content: Content) -> Iterable[tuple[str, InlineKeyboardMarkup]]:
    """Every keyboard with extreme values, for the content check (64-byte callback data)."""
    total = content.lesson_count
    yield "greeting", greeting(content)
    yield "resume", resume(content, total)
    for index in range(1, total + 1):
        yield f"lesson_nav[{index}]", lesson_nav(content, index, total)
        yield f"lesson_nav[{index}, in place]", lesson_nav(content, index, total, in_place=True)
    yield "after_lessons", after_lessons(content)
    yield "after_submit", after_submit(content)
    from bot.flows.diagnostic.keyboards import sample_keyboards as diagnostic_keyboards

    yield from diagnostic_keyboards(content)
    from bot.group.views.keyboards import sample_keyboards as group_keyboards

    yield from group_keyboards(content)
    from bot.nudges.messages import sample_keyboards as nudge_keyboards

    yield from nudge_keyboards(content)
    from bot.flows.booking.keyboards import sample_keyboards as booking_keyboards

    yield from booking_keyboards(content)
