"""Keyboards of the diagnostic flow (labels from content/diagnostic.toml)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.callbacks import DiagCb, EditCb, MenuAction, MenuCb
from bot.content import Content
from bot.flows.diagnostic.states import EDIT_GROUPS
from bot.keyboards import built_once
from bot.qualification import TURNOVER_BANDS, YEARS_BANDS

CALL_TIMES = ("morning", "day", "evening", "any")
LEAD_SOURCES = ("marketing", "sales", "both")
DEPT_TYPES = ("1", "2", "3")
MAX_SEGMENTS = 5


def _b(content: Content, key: str, step: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=content.label(key), callback_data=DiagCb(s=step, v=value).pack()
    )


def _back(content: Content, step: str) -> list[InlineKeyboardButton]:
    return [_b(content, "diag_buttons.back", step, "back")]


def choices(
    content: Content,
    step: str,
    table: str,
    codes: Sequence[str],
    *,
    per_row: int = 1,
    skip: bool = False,
) -> InlineKeyboardMarkup:
    buttons = [_b(content, f"{table}.{code}", step, code) for code in codes]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    if skip:
        rows.append([_b(content, "diag_buttons.skip", step, "skip")])
    rows.append(_back(content, step))
    return InlineKeyboardMarkup(inline_keyboard=rows)


@built_once
def turnover(content: Content) -> InlineKeyboardMarkup:
    return choices(content, "turnover", "turnover", [b.code for b in TURNOVER_BANDS], per_row=2)


@built_once
def years(content: Content) -> InlineKeyboardMarkup:
    return choices(content, "years", "years", [b.code for b in YEARS_BANDS], per_row=2)


@built_once
def dept_type(content: Content) -> InlineKeyboardMarkup:
    return choices(content, "dept_type", "dept_type", DEPT_TYPES)


@built_once
def lead_source(content: Content) -> InlineKeyboardMarkup:
    return choices(content, "lead_source", "lead_source", LEAD_SOURCES)


@built_once
def segments_count(content: Content) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(text=str(n), callback_data=DiagCb(s="segments_count", v=str(n)).pack())
        for n in range(1, MAX_SEGMENTS + 1)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row, _back(content, "segments_count")])


@built_once
def back_only(content: Content, step: str, *, skip: bool = False) -> InlineKeyboardMarkup:
    rows = [[_b(content, "diag_buttons.skip", step, "skip")]] if skip else []
    rows.append(_back(content, step))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def strategic(content: Content, names: Iterable[str]) -> InlineKeyboardMarkup:
    # Labels are the owner's own words (plain text in buttons, nothing to escape);
    # callback data carries only the index.
    rows = [
        [
            InlineKeyboardButton(
                text=f"⭐️ {name}"[:64], callback_data=DiagCb(s="strategic", v=str(i)).pack()
            )
        ]
        for i, name in enumerate(names)
    ]
    rows.append(_back(content, "strategic"))
    return InlineKeyboardMarkup(inline_keyboard=rows)


@built_once
def consent(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _b(content, "diag_buttons.agree", "consent", "agree"),
                _b(content, "diag_buttons.decline", "consent", "decline"),
            ],
            _back(content, "consent"),
        ]
    )


@built_once
def declined(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_b(content, "diag_buttons.retry_consent", "consent", "retry")],
            [
                InlineKeyboardButton(
                    text=content.label("diag_buttons.to_lessons"),
                    callback_data=MenuCb(a=MenuAction.lessons).pack(),
                )
            ],
        ]
    )


def phone_request(content: Content) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=content.label("diag_buttons.share_phone"), request_contact=True)]
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


@built_once
def phone_confirm(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_b(content, "diag_buttons.use_phone", "phone_confirm", "yes")],
            [_b(content, "diag_buttons.other_phone", "phone_confirm", "no")],
        ]
    )


@built_once
def call_time(content: Content) -> InlineKeyboardMarkup:
    return choices(content, "call_time", "call_time", CALL_TIMES, per_row=2)


@built_once
def review(content: Content) -> InlineKeyboardMarkup:
    edits = [
        InlineKeyboardButton(
            text=content.label(f"edit.{field}"), callback_data=EditCb(f=field).pack()
        )
        for field in EDIT_GROUPS
    ]
    rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    rows.insert(0, [_b(content, "diag_buttons.submit", "review", "submit")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


@built_once
def existing_lead(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_b(content, "diag_buttons.update_request", "entry", "update")],
            [
                InlineKeyboardButton(
                    text=content.label("diag_buttons.to_lessons"),
                    callback_data=MenuCb(a=MenuAction.lessons).pack(),
                )
            ],
        ]
    )


def sample_keyboards(content: Content) -> Iterable[tuple[str, InlineKeyboardMarkup]]:
    yield "diag.turnover", turnover(content)
    yield "diag.years", years(content)
    yield "diag.dept_type", dept_type(content)
    yield "diag.lead_source", lead_source(content)
    yield "diag.segments_count", segments_count(content)
    yield "diag.segment_share", back_only(content, "segment_share", skip=True)
    yield "diag.strategic", strategic(content, ["я" * 40] * MAX_SEGMENTS)
    yield "diag.consent", consent(content)
    yield "diag.declined", declined(content)
    yield "diag.phone_confirm", phone_confirm(content)
    yield "diag.call_time", call_time(content)
    yield "diag.review", review(content)
    yield "diag.existing_lead", existing_lead(content)
