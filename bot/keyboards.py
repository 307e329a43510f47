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


@built_once
def greeting(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "start_lessons", MenuCb(a=MenuAction.lessons).pack())],
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
        ]
    )


@built_once
def resume(content: Content, lesson: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "resume", LessonCb(i=lesson).pack(), n=lesson)],
            [_button(content, "restart", MenuCb(a=MenuAction.restart).pack())],
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
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
    return InlineKeyboardMarkup(
        inline_keyboard=[
            row,
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
        ]
    )


@built_once
def after_lessons(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
            [_button(content, "share", MenuCb(a=MenuAction.share).pack())],
            [_button(content, "restart", MenuCb(a=MenuAction.restart).pack())],
        ]
    )


@built_once
def after_submit(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "share", MenuCb(a=MenuAction.share).pack())],
            [_button(content, "start_lessons", MenuCb(a=MenuAction.lessons).pack())],
        ]
    )


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
