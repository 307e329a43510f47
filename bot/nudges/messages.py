"""What each follow-up says, composed when it is due (texts: content/nudges/, labels:
content/nudges.toml), and whether it is still true then.

`compose` returns the messages to send, or None when the reminder no longer fits what the
owner did (a safety net: the step that made it obsolete has normally deleted it already).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import keyboards
from bot.callbacks import NudgeAction, NudgeCb
from bot.config import Settings
from bot.content import Content
from bot.db.nudges import NudgeRow, Owner
from bot.domain import NudgeKind
from bot.keyboards import built_once

Composer = Callable[[NudgeRow, Owner, Content, Settings], "list[SendMessage] | None"]


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _int(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def stop_button(content: Content) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=content.label("nudge_buttons.stop"), callback_data=NudgeCb(a=NudgeAction.stop).pack()
    )


@built_once
def reminder_keyboard(content: Content, action: NudgeAction, index: int = 0) -> InlineKeyboardMarkup:
    """The reminder's one way forward, and «Не напоминать»."""
    label = content.label(f"nudge_buttons.{action.name}", n=index)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=NudgeCb(a=action, i=index).pack())],
            [stop_button(content)],
        ]
    )


@built_once
def daily_lesson_keyboard(content: Content, index: int, total: int) -> InlineKeyboardMarkup:
    """A lesson that came by itself: its usual buttons, and «Не напоминать»."""
    usual = keyboards.lesson_nav(content, index, total)
    return InlineKeyboardMarkup(inline_keyboard=[*usual.inline_keyboard, [stop_button(content)]])


def _lesson(nudge: NudgeRow, owner: Owner, content: Content, settings: Settings) -> list[SendMessage] | None:
    read, total = _int(nudge.payload, "lesson"), content.lesson_count
    if owner.has_lead or owner.lessons_done or owner.lesson != read or not 1 <= read < total:
        return None
    text = content.render(
        "nudges/lesson.html", n=read, total=total, next=read + 1,
        title=content.lesson_title(read + 1), seq=nudge.seq,
    )
    markup = reminder_keyboard(content, NudgeAction.lesson, read + 1)
    return [SendMessage(chat_id=nudge.user_id, text=text, reply_markup=markup)]


def _offer(nudge: NudgeRow, owner: Owner, content: Content, settings: Settings) -> list[SendMessage] | None:
    if owner.has_lead:
        return None
    text = content.render(
        "nudges/offer.html",
        min_turnover=_number(settings.min_turnover_mln), min_years=settings.min_years_on_market,
    )
    markup = reminder_keyboard(content, NudgeAction.diagnostic)
    return [SendMessage(chat_id=nudge.user_id, text=text, reply_markup=markup)]


def _diagnostic(nudge: NudgeRow, owner: Owner, content: Content, settings: Settings) -> list[SendMessage] | None:
    if owner.has_lead:
        return None
    payload = nudge.payload
    topic = payload.get("topic")
    label = ""
    if isinstance(topic, str) and topic:
        try:
            label = content.label(f"review.{topic}")
        except KeyError:
            label = ""
    text = content.render(
        "nudges/diagnostic.html",
        number=_int(payload, "number"), total=_int(payload, "total"), topic=label,
        left=_int(payload, "left"), seq=nudge.seq,
    )
    markup = reminder_keyboard(content, NudgeAction.resume)
    return [SendMessage(chat_id=nudge.user_id, text=text, reply_markup=markup)]


def _daily_lesson(nudge: NudgeRow, owner: Owner, content: Content, settings: Settings) -> list[SendMessage] | None:
    index, total = _int(nudge.payload, "lesson"), content.lesson_count
    if owner.has_lead or owner.lessons_done or owner.lesson != index - 1 or not 2 <= index <= total:
        return None
    pages = content.lesson_pages(index)
    messages = [SendMessage(chat_id=nudge.user_id, text=page) for page in pages[:-1]]
    messages.append(SendMessage(
        chat_id=nudge.user_id, text=pages[-1],
        reply_markup=daily_lesson_keyboard(content, index, total),
    ))
    return messages


COMPOSERS: dict[str, Composer] = {
    NudgeKind.lesson: _lesson,
    NudgeKind.offer: _offer,
    NudgeKind.diagnostic: _diagnostic,
    NudgeKind.daily_lesson: _daily_lesson,
}


def compose(
    nudge: NudgeRow, owner: Owner, content: Content, settings: Settings
) -> list[SendMessage] | None:
    composer = COMPOSERS.get(nudge.kind)
    return None if composer is None else composer(nudge, owner, content, settings)


def sample_keyboards(content: Content) -> Iterable[tuple[str, InlineKeyboardMarkup]]:
    """Every reminder keyboard with extreme values (for the content check)."""
    total = content.lesson_count
    yield "nudge.lesson", reminder_keyboard(content, NudgeAction.lesson, total)
    yield "nudge.offer", reminder_keyboard(content, NudgeAction.diagnostic)
    yield "nudge.diagnostic", reminder_keyboard(content, NudgeAction.resume)
    yield "nudge.daily_lesson", daily_lesson_keyboard(content, total, total)
