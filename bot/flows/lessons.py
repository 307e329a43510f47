"""The lessons flow: the article's four parts, one lesson at a time, with Next and Back.

One state (`LessonStates.reading`) plus the lesson index, which also travels in the buttons'
callback data so a button on an old message keeps working. Progress lives in the users
table, so /lessons and /start resume where the owner stopped even after /cancel.

«Далее» sends the next lesson as a new message; «Назад» edits the message it is on into the
previous lesson (and «Далее» on such a message edits it forward again), so paging back and
forth never fills the chat with copies. A lesson longer than one message is sent instead.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, Message

from bot import keyboards
from bot.callbacks import LessonCb, LessonPageCb, MenuAction, MenuCb
from bot.content import Content
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.filters import InChat
from bot.flows.conversation import Conversation
from bot.input_kind import unknown_input_hint
from bot.nudges import policy as followups


class LessonStates(StatesGroup):
    reading = State()


def build_router() -> Router:
    router = Router(name="lessons")
    router.message.filter(InChat("private"))
    router.callback_query.filter(InChat("private"))
    router.message.register(on_lessons_command, Command("lessons"))
    router.callback_query.register(on_lesson_button, LessonCb.filter())
    router.callback_query.register(on_lesson_page, LessonPageCb.filter())
    router.callback_query.register(on_menu_lessons, MenuCb.filter(F.a == MenuAction.lessons))
    router.callback_query.register(on_menu_restart, MenuCb.filter(F.a == MenuAction.restart))
    return router


def build_fallback_router() -> Router:
    router = Router(name="lessons-fallback")
    router.message.filter(InChat("private"))
    router.message.register(on_unexpected_while_reading, StateFilter(LessonStates.reading))
    return router


async def _open(talk: Conversation, index: int) -> None:
    """Record that the owner is reading lesson `index` (and when to remind them of the
    next one, in the same transaction)."""
    repo, user_id, state = talk.repo, talk.user_id, talk.state
    await repo.users.open_lesson(user_id, index)
    await followups.lesson_opened(repo, talk.settings, user_id, index, talk.content.lesson_count)
    if await state.get_state() != LessonStates.reading.state:  # a cached read, not a write
        await state.set_state(LessonStates.reading)


async def send_lesson(talk: Conversation, index: int) -> None:
    """Record progress first, then send the lesson (pages, buttons on the last page)."""
    reply, chat_id, content = talk.reply, talk.chat_id, talk.content
    total = content.lesson_count
    await _open(talk, index)
    pages = content.lesson_pages(index)
    for page in pages[:-1]:
        reply(SendMessage(chat_id=chat_id, text=page))
    reply(SendMessage(
        chat_id=chat_id, text=pages[-1], reply_markup=keyboards.lesson_nav(content, index, total)
    ))


async def send_finish(talk: Conversation) -> None:
    repo, user_id, content, settings = talk.repo, talk.user_id, talk.content, talk.settings
    if await repo.users.mark_lessons_done(user_id):
        await repo.funnel.record(user_id, "lessons_done")
        await repo.referrals.thank_once(user_id, "lessons")
    await followups.lessons_finished(repo, settings, user_id)
    await talk.state.set_state(None)
    talk.reply(SendMessage(
        chat_id=talk.chat_id,
        text=content.render(
            "messages/final_cta.html",
            min_turnover=_number(settings.min_turnover_mln),
            min_years=settings.min_years_on_market,
        ),
        reply_markup=keyboards.after_lessons(content),
    ))


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def answer_press(talk: Conversation, query: CallbackQuery, index: int, last: int) -> bool:
    """Answer the press of a button that opens lesson `index`: True when it is one of 1 to
    `last`, else (forged, or from an older edition of the course) the stale-button alert."""
    if not 1 <= index <= last:
        talk.reply(query.answer(talk.content.label("alerts.stale_button"), show_alert=True))
        return False
    talk.reply(query.answer())
    return True


async def resume(talk: Conversation) -> None:
    content = talk.content
    row = await talk.repo.users.get(talk.user_id)
    if row is not None and row.lessons_done_at is not None:
        talk.reply(SendMessage(
            chat_id=talk.chat_id,
            text=content.render("messages/lessons_done.html"),
            reply_markup=keyboards.after_lessons(content),
        ))
        return
    index = min(max(row.lesson if row else 1, 1), content.lesson_count)
    await send_lesson(talk, index)


async def on_lessons_command(message: Message, talk: Conversation) -> None:
    await resume(talk)


async def on_lesson_button(
    query: CallbackQuery, callback_data: LessonCb, talk: Conversation
) -> None:
    total = talk.content.lesson_count
    index = callback_data.i
    if not answer_press(talk, query, index, total + 1):  # total + 1: the finish
        return
    if index == total + 1:
        await send_finish(talk)
    else:
        await send_lesson(talk, index)


async def on_lesson_page(
    query: CallbackQuery, callback_data: LessonPageCb, talk: Conversation
) -> None:
    """«Назад» (or «Далее» after it): this message becomes lesson `i`, nothing new is sent
    (unless the message can no longer be edited: then the lesson comes as a new one)."""
    content = talk.content
    total = content.lesson_count
    index = callback_data.i
    if not answer_press(talk, query, index, total):
        return
    message = query.message
    pages = content.lesson_pages(index)
    if not isinstance(message, Message) or len(pages) > 1:
        await send_lesson(talk, index)
        return
    await _open(talk, index)
    talk.reply(
        message.edit_text(
            pages[0], reply_markup=keyboards.lesson_nav(content, index, total, in_place=True)
        ),
        otherwise=SendMessage(
            chat_id=talk.chat_id, text=pages[0],
            reply_markup=keyboards.lesson_nav(content, index, total),
        ),
    )


async def on_menu_lessons(query: CallbackQuery, talk: Conversation) -> None:
    talk.reply(query.answer())
    await resume(talk)


async def on_menu_restart(query: CallbackQuery, talk: Conversation) -> None:
    talk.reply(query.answer())
    await send_lesson(talk, 1)


async def on_unexpected_while_reading(
    message: Message, reply: Replies, repo: Repositories, content: Content
) -> None:
    """Anything but a button while reading: a short hint and the current lesson's buttons."""
    assert message.from_user is not None
    row = await repo.users.get(message.from_user.id)
    total = content.lesson_count
    index = min(max(row.lesson if row else 1, 1), total)
    reply(message.answer(
        unknown_input_hint(content, message, "lesson", index),
        reply_markup=keyboards.lesson_nav(content, index, total),
    ))
