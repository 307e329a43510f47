"""Keyboards the bot shows in private chats; labels come from content/ui.toml."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import LessonCb, MenuAction, MenuCb
from bot.content import Content


def _button(content: Content, key: str, data: str, **ctx: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=content.label(f"buttons.{key}", **ctx), callback_data=data)


def greeting(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "start_lessons", MenuCb(a=MenuAction.lessons).pack())],
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
        ]
    )


def resume(content: Content, lesson: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "resume", LessonCb(i=lesson).pack(), n=lesson)],
            [_button(content, "restart", MenuCb(a=MenuAction.restart).pack())],
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
        ]
    )


def lesson_nav(content: Content, index: int, total: int) -> InlineKeyboardMarkup:
    row: list[InlineKeyboardButton] = []
    if index > 1:
        row.append(_button(content, "back", LessonCb(i=index - 1).pack()))
    if index < total:
        row.append(_button(content, "next", LessonCb(i=index + 1).pack()))
    else:
        row.append(_button(content, "finish", LessonCb(i=total + 1).pack()))
    return InlineKeyboardMarkup(
        inline_keyboard=[
            row,
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
        ]
    )


def after_lessons(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(content, "diagnostic", MenuCb(a=MenuAction.diagnostic).pack())],
            [_button(content, "share", MenuCb(a=MenuAction.share).pack())],
            [_button(content, "restart", MenuCb(a=MenuAction.restart).pack())],
        ]
    )


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
    yield "after_lessons", after_lessons(content)
    yield "after_submit", after_submit(content)
    from bot.flows.diagnostic.keyboards import sample_keyboards as diagnostic_keyboards

    yield from diagnostic_keyboards(content)
    from bot.group.keyboards import sample_keyboards as group_keyboards

    yield from group_keyboards(content)
