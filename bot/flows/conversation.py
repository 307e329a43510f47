"""The owner a private-chat update is about, and what answering them needs: the reply
collector, their chat and id, their FSM context and the app's repositories, content and
settings. The lessons (`Reader`) and the questionnaire (`Step`) extend it; `pressing` and
`writing` make one from a button press or a message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

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

    @classmethod
    def pressing(
        cls, query: CallbackQuery, reply: Replies, state: FSMContext, repo: Repositories,
        content: Content, settings: Settings, **more: Any,
    ) -> Self:
        """The owner who pressed a button, in the chat the button is in."""
        chat_id = query.message.chat.id if query.message else query.from_user.id
        return cls(reply, chat_id, query.from_user.id, state, repo, content, settings, **more)

    @classmethod
    def writing(
        cls, message: Message, reply: Replies, state: FSMContext, repo: Repositories,
        content: Content, settings: Settings, **more: Any,
    ) -> Self:
        """The owner who sent `message`, in its chat."""
        assert message.from_user is not None  # private chats always have a sender
        return cls(reply, message.chat.id, message.from_user.id, state, repo, content, settings,
                   **more)
