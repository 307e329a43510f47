"""The owner a private-chat update is about, and what answering them needs: the reply
collector, their chat and id, their FSM context and the app's repositories, content and
settings.

Handlers get it by naming a `talk` parameter: `ConversationMiddleware` (bot/middlewares.py)
builds one for every message and button press in a private chat. The lessons take it as it
is; the questionnaire extends it into a `Step` (`Step.of(talk, form)`)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.context import FSMContext

from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.delivery.replies import Replies


@dataclass(slots=True)
class Conversation:
    reply: Replies
    chat_id: int
    user_id: int
    state: FSMContext
    repo: Repositories
    content: Content
    settings: Settings
