"""Application wiring: the one `create_dispatcher` factory, the Bot factory, and `create_app`,
which puts the dispatcher, the update processor and the senders together.

`__main__` (bot/service.py), the sandbox and the tests all build the bot through these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.strategy import FSMStrategy
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, Update

from bot.answer_envelopes import KeepAnswerEnvelopes
from bot.background import BackgroundLoop
from bot.booking.reminders import ReminderSchedule, ScheduledReminders
from bot.clock import Clock
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.delivery.replies import DirectCallGuard
from bot.delivery.sender import RETRY_BASE, RETRY_MAX, ReplySender
from bot.flows.diagnostic import QUESTIONNAIRE
from bot.flows.diagnostic.form import Form
from bot.group.access import Consultants
from bot.group.views.for_outbox import ConsultantViews
from bot.handlers import build_routers
from bot.middlewares import TrackUsersMiddleware
from bot.nudges import policy as nudge_policy
from bot.nudges.sender import NudgeSender
from bot.outbox import OutboxSender
from bot.runner import UpdateProcessor
from bot.telegram_retry import ExpiredCallbackMiddleware, RetryMiddleware
from bot.telegram_session import FormSession

log = logging.getLogger(__name__)


def create_dispatcher(
    settings: Settings,
    *,
    repo: Repositories,
    content: Content,
    events_isolation: BaseEventIsolation | None = None,
    questionnaire: Form = QUESTIONNAIRE,
    **dependencies: Any,
) -> Dispatcher:
    """Build a fresh dispatcher (fresh routers every call); dependencies reach handlers by name.

    `questionnaire`: the diagnostic's declaration (a test may pass a changed copy).
    Optional dependencies: `consultants` (membership cache; one is made when not given),
    `clock` (what "now" is: free times, bookings; the repositories' by default) and
    `reminders` (where a booking's reminders are scheduled, bot/booking/reminders.py: on the
    follow-up scheduler by default). Each update also brings `reply` (bot/delivery/replies.py),
    given by the update processor, and a private-chat message or press brings `talk`, the
    owner's conversation (bot/flows/conversation.py; the owners' router builds it,
    bot/handlers/__init__.py).
    Exceptions are not caught here: the processor rolls the update back and apologises.
    """
    dependencies.setdefault("consultants", Consultants(settings, repo.kv))
    dependencies.setdefault("clock", repo.clock)
    dependencies.setdefault("reminders", ScheduledReminders(repo, settings))
    dispatcher = Dispatcher(
        storage=repo.fsm,
        events_isolation=events_isolation or SimpleEventIsolation(),
        fsm_strategy=FSMStrategy.USER_IN_CHAT,
        settings=settings,
        repo=repo,
        content=content,
        questionnaire=questionnaire,
        **dependencies,
    )
    dispatcher.update.outer_middleware(TrackUsersMiddleware())
    dispatcher.include_routers(*build_routers(questionnaire))
    return dispatcher


def apology(content: Content) -> Any:
    """What a person is told when their update failed: «something went wrong» (private
    chats only; a group is not told about one consultant's failed command)."""

    def for_update(update: Update) -> TelegramMethod[Any] | None:
        message = update.message or (update.callback_query and update.callback_query.message)
        chat = getattr(message, "chat", None)
        if chat is None or chat.type != "private":
            return None
        return SendMessage(chat_id=chat.id, text=content.render("messages/error.html"))

    return for_update


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    """The Bot with its request middlewares, outermost first: the guard that keeps handlers
    from calling Telegram directly, expired callback answers, retries, then the answer
    envelopes kept alive (bot/answer_envelopes.py)."""
    if session is None:
        session = FormSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    session.middleware(DirectCallGuard())
    session.middleware(ExpiredCallbackMiddleware())
    session.middleware(RetryMiddleware())
    session.middleware(KeepAnswerEnvelopes())
    return Bot(
        settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


@dataclass(slots=True)
class BotApp:
    """Everything that handles updates, put together once."""

    settings: Settings
    content: Content
    repo: Repositories
    bot: Bot
    dispatcher: Dispatcher
    consultants: Consultants
    replies: ReplySender
    outbox: OutboxSender
    processor: UpdateProcessor
    nudges: NudgeSender

    def loops(self) -> list[BackgroundLoop]:
        """The app's background loops (the senders), in the order they start: every one the
        app has, so that a new sender cannot be left out of the service's start and stop."""
        return [value for value in (getattr(self, field.name) for field in fields(self))
                if isinstance(value, BackgroundLoop)]


def create_app(
    settings: Settings,
    *,
    repo: Repositories,
    content: Content,
    bot: Bot | None = None,
    clock: Clock | None = None,
    outbox_bot: Bot | None = None,
    reply_retry: tuple[float, float] | None = None,
    questionnaire: Form = QUESTIONNAIRE,
    reminders: ReminderSchedule | None = None,
    **processor_options: Any,
) -> BotApp:
    """The dispatcher, the update processor and the senders on one database.

    `outbox_bot`: the Bot the outbox sender uses (by default the same one). `reply_retry`:
    the reply sender's first and longest back-off (tests shorten them). `clock`: the time
    the app runs on and the handlers' "now" — the repositories' (`Repositories.create(db,
    clock=…)`), which stamp scheduled reminders with it. `reminders` schedules a booking's
    reminders (bot/booking/reminders.py)."""
    if clock is None:
        clock = repo.clock
    elif clock is not repo.clock:
        raise ValueError("create_app: pass the clock to Repositories.create(db, clock=...)")
    bot = bot or create_bot(settings)
    consultants = Consultants(settings, repo.kv)
    dispatcher = create_dispatcher(
        settings, repo=repo, content=content, consultants=consultants,
        questionnaire=questionnaire, clock=clock,
        reminders=reminders or ScheduledReminders(repo, settings),
    )
    base, longest = reply_retry or (RETRY_BASE, RETRY_MAX)
    outbox = OutboxSender(
        outbox_bot or bot, repo, content, settings, clock=clock,
        views=ConsultantViews(repo, content, settings),
    )
    replies = ReplySender(
        bot, repo.replies, clock=clock, retry_base=base, retry_max=longest,
        on_recorded=outbox.wake, on_blocked=lambda user_id: nudge_policy.blocked(repo, user_id),
    )
    processor_options.setdefault("max_concurrency", settings.max_concurrent_updates)
    processor = UpdateProcessor(
        bot,
        dispatcher,
        repo,
        replies,
        apology=apology(content),
        on_outbox=outbox.wake,
        **processor_options,
    )
    nudges = NudgeSender(bot, repo, content, settings, processor, clock=clock)
    return BotApp(
        settings, content, repo, bot, dispatcher, consultants, replies, outbox, processor,
        nudges,
    )


async def configure_bot(bot: Bot, content: Content) -> None:
    """Idempotent start-up calls: the command menu for private chats."""
    commands = [BotCommand(command=name, description=text) for name, text in content.commands()]
    await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())
