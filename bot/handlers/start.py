"""Private-chat entry commands: /start (with deep-link payload), /help, /cancel."""

from __future__ import annotations

import re

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot import keyboards
from bot.attribution import Touch, parse_payload
from bot.booking import service as booking_service
from bot.booking.reminders import ReminderSchedule
from bot.clock import Clock
from bot.content import Content
from bot.delivery.replies import Replies
from bot.filters import InChat
from bot.flows.conversation import Conversation
from bot.flows.diagnostic import open_request
from bot.flows.diagnostic.form import Form
from bot.nudges import policy as followups

# Telegram allows 1-64 characters of A-Z a-z 0-9 _ - in a start payload.
PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def build_router() -> Router:
    router = Router(name="start")
    router.message.filter(InChat("private"))
    router.message.register(on_start, CommandStart())
    router.message.register(on_help, Command("help"))
    router.message.register(on_cancel, Command("cancel"))
    return router


async def on_start(
    message: Message,
    command: CommandObject,
    talk: Conversation,
    questionnaire: Form,
    clock: Clock,
    reminders: ReminderSchedule,
) -> None:
    reply, repo, content = talk.reply, talk.repo, talk.content
    user = message.from_user
    assert user is not None  # private chats always have a sender
    payload = command.args or ""
    valid = PAYLOAD_RE.match(payload) is not None
    if valid:
        await repo.users.set_start_payload(user.id, payload)
    touch = parse_payload(payload)
    referrer = await repo.referrals.owner_of(touch.ref_code) if touch.ref_code else None
    if touch.ref_code and referrer in (None, user.id):  # unknown code, or one's own link
        touch, referrer = Touch(), None
    await repo.referrals.record_touch(user.id, touch, referrer)
    await repo.funnel.record(user.id, "start", detail=payload if valid else None)
    resumed = await followups.restarted(repo, user.id)
    if resumed.stopped:  # after /stop: reminders are on again, and the owner is told
        reply(message.answer(content.render("nudges/resumed.html")))
    if resumed.were_off:  # a booked diagnostic's reminders, too
        await booking_service.replan_reminders(repo, reminders, user.id, clock.now())
    if touch.diagnostic:
        await open_request(talk, questionnaire)
        return
    row = await repo.users.get(user.id)
    lesson = row.lesson if row else 0
    if lesson == 0:
        reply(message.answer(
            content.render("messages/greeting.html", first_name=user.first_name),
            reply_markup=keyboards.greeting(content),
        ))
        return
    reply(message.answer(
        content.render(
            "messages/greeting_back.html",
            first_name=user.first_name,
            lesson=lesson,
            total=content.lesson_count,
        ),
        reply_markup=keyboards.resume(content, min(lesson, content.lesson_count)),
    ))


async def on_help(message: Message, reply: Replies, content: Content) -> None:
    reply(message.answer(content.render("messages/help.html")))


async def on_cancel(message: Message, talk: Conversation, questionnaire: Form) -> None:
    reply, state, content = talk.reply, talk.state, talk.content
    current = await state.get_state()
    had_state = current is not None
    await state.set_state(None)  # answers already given stay in FSM data
    if questionnaire.key_of(current) is not None:  # the request left on purpose: no reminder
        await followups.request_left(talk.repo, talk.user_id)
    reply(message.answer(
        content.render("messages/cancel.html", had_state=had_state),
        reply_markup=keyboards.greeting(content),
    ))
