"""Application wiring: the one `create_dispatcher` factory, the Bot factory, start-up setup.

`__main__`, the sandbox and the tests all build the bot through these functions.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.strategy import FSMStrategy
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, ErrorEvent

from bot.answer_envelopes import KeepAnswerEnvelopes
from bot.config import Settings
from bot.content import Content
from bot.db.journal import JournalRepo
from bot.db.repos import Repositories
from bot.group.access import Consultants
from bot.handlers import build_routers
from bot.middlewares import TrackUsersMiddleware, WakeOutboxMiddleware
from bot.replay_journal import ReplayJournalMiddleware
from bot.telegram_retry import ExpiredCallbackMiddleware, RetryMiddleware
from bot.telegram_session import FormSession

log = logging.getLogger(__name__)


def create_dispatcher(
    settings: Settings,
    *,
    repo: Repositories,
    content: Content,
    events_isolation: BaseEventIsolation | None = None,
    **dependencies: Any,
) -> Dispatcher:
    """Build a fresh dispatcher (fresh routers every call); dependencies reach handlers by name.

    Optional dependencies: `consultants` (membership cache; one is made when not given) and
    `outbox_wakeup` (the outbox sender's event, set after every update).
    """
    dependencies.setdefault("consultants", Consultants(settings, repo.kv))
    dispatcher = Dispatcher(
        storage=repo.fsm,
        events_isolation=events_isolation or SimpleEventIsolation(),
        fsm_strategy=FSMStrategy.USER_IN_CHAT,
        settings=settings,
        repo=repo,
        content=content,
        **dependencies,
    )
    dispatcher.update.outer_middleware(TrackUsersMiddleware())
    dispatcher.update.outer_middleware(WakeOutboxMiddleware())
    dispatcher.include_routers(*build_routers())
    dispatcher.errors.register(on_error)
    return dispatcher


async def on_error(event: ErrorEvent, bot: Bot, content: Content) -> bool:
    """Last line of defence: log, tell the person something went wrong, keep their state."""
    update = event.update
    log.error(
        "update %d: unhandled %s",
        update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    message = update.message or (update.callback_query and update.callback_query.message)
    chat = getattr(message, "chat", None)
    if chat is not None and chat.type == "private":
        try:
            await bot.send_message(chat.id, content.render("messages/error.html"))
        except Exception:
            log.warning("could not tell chat about the error", exc_info=True)
    return True


def create_bot(
    settings: Settings, session: BaseSession | None = None, journal: JournalRepo | None = None
) -> Bot:
    """The Bot with its request middlewares, outermost first: the replay journal (a replayed
    update does not send twice), expired callback answers, retries, then the answer
    envelopes kept alive (bot/answer_envelopes.py)."""
    if session is None:
        session = FormSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    if journal is not None:
        session.middleware(ReplayJournalMiddleware(journal))
    session.middleware(ExpiredCallbackMiddleware())
    session.middleware(RetryMiddleware())
    session.middleware(KeepAnswerEnvelopes())
    return Bot(
        settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


async def configure_bot(bot: Bot, content: Content) -> None:
    """Idempotent start-up calls: the command menu for private chats."""
    commands = [BotCommand(command=name, description=text) for name, text in content.commands()]
    await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())
