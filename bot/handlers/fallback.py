"""Last router: whatever no flow claimed gets a short hint and the right buttons, never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot import keyboards
from bot.content import Content
from bot.delivery.replies import Replies
from bot.filters import InChat
from bot.flows.conversation import Conversation
from bot.input_kind import unknown_input_hint


def build_router() -> Router:
    router = Router(name="fallback")
    router.message.register(on_unexpected_message, InChat("private"))
    router.callback_query.register(on_stale_button)
    return router


async def on_unexpected_message(message: Message, talk: Conversation) -> None:
    content = talk.content
    row = await talk.repo.users.get(talk.user_id)
    lesson = row.lesson if row else 0
    in_progress = lesson > 0 and (row is None or row.lessons_done_at is None)
    markup = (
        keyboards.resume(content, min(lesson, content.lesson_count))
        if in_progress
        else keyboards.greeting(content)
    )
    talk.reply(message.answer(
        unknown_input_hint(content, message, "menu", lesson),
        reply_markup=markup,
    ))


async def on_stale_button(query: CallbackQuery, reply: Replies, content: Content) -> None:
    """A button nobody recognises (forged, or from an old version): say so, change nothing."""
    reply(query.answer(content.label("alerts.stale_button"), show_alert=True))
