"""The owner's side of follow-ups: /stop and «Не напоминать», the buttons under reminders,
and Telegram telling the bot that the owner blocked it (my_chat_member in a private chat).

/start turns reminders back on (bot/handlers/start.py).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.booking import service as booking_service
from bot.booking.reminders import ReminderSchedule
from bot.callbacks import NudgeAction, NudgeCb
from bot.clock import Clock
from bot.db.repos import Repositories
from bot.filters import InChat
from bot.flows import lessons
from bot.flows.conversation import Conversation
from bot.flows.diagnostic import open_request
from bot.flows.diagnostic.form import Form
from bot.nudges import policy as followups

GONE = ("kicked", "left")


def build_router() -> Router:
    router = Router(name="nudges")
    router.message.filter(InChat("private"))
    router.callback_query.filter(InChat("private"))
    router.my_chat_member.filter(InChat("private"))
    router.message.register(on_stop, Command("stop"))
    router.callback_query.register(on_button, NudgeCb.filter())
    router.my_chat_member.register(on_bot_status)
    return router


async def on_stop(message: Message, talk: Conversation) -> None:
    await followups.stopped(talk.repo, talk.user_id)
    talk.reply(message.answer(talk.content.render("nudges/stopped.html")))


async def on_button(
    query: CallbackQuery, callback_data: NudgeCb, talk: Conversation, questionnaire: Form
) -> None:
    action = callback_data.a
    if action is NudgeAction.stop:
        await followups.stopped(talk.repo, talk.user_id)
        talk.reply(query.answer())
        text = talk.content.render("nudges/stopped.html")
        talk.reply(SendMessage(chat_id=talk.chat_id, text=text))
        return
    if action is NudgeAction.lesson:
        index = callback_data.i
        if lessons.answer_press(talk, query, index, talk.content.lesson_count):
            await lessons.send_lesson(talk, index)
        return
    talk.reply(query.answer())  # resume the request, or begin it
    await open_request(talk, questionnaire)


async def on_bot_status(
    event: ChatMemberUpdated, repo: Repositories, clock: Clock, reminders: ReminderSchedule
) -> None:
    """The owner blocked the bot (kicked) or unblocked it (member again: the reminders of
    their booked diagnostic are planned again, unless they had said /stop)."""
    if event.new_chat_member.status in GONE:
        await followups.blocked(repo, event.chat.id)
    elif event.old_chat_member.status in GONE:
        await followups.unblocked(repo, event.chat.id)
        await booking_service.replan_reminders(repo, reminders, event.chat.id, clock.now())
