"""`WorldDriver` in one process: a `BotWorld`, an aiogram Dispatcher and a Bot whose session
is `EmulatorSession`. After every user action all queued updates are handled in order, so
by the time an action returns the bot has answered.

`InProcessWorld.for_app(app)` handles them as the bot process does: each update is stored
in the inbox, then handled by the app's update processor (one transaction, replies sent
after the commit). Built from a bare dispatcher, updates go to `dispatcher.feed_update`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from bot.emulator.errors import ControlError
from bot.emulator.world import BotWorld, Emulator
from tests.kit.drivers import WorldDriver
from tests.kit.session import EmulatorSession

log = logging.getLogger(__name__)
DEFAULT_TOKEN = "123456789:EMULATOR-test-token_in-process"


USER_ACTIONS = frozenset(
    {"send_text", "click", "share_contact", "send_media", "edit_user_message", "inline_query"}
)


class WorldInThisProcess(WorldDriver):
    """The primitives of a `WorldDriver` whose `BotWorld` is in this process (`self.world`);
    subclasses say how user actions reach it and how the bot gets its updates."""

    world: BotWorld

    async def _add_user(self, **fields: Any) -> dict[str, Any]:
        return self.world.add_user(**fields).to_dict()

    async def _add_group(self, **fields: Any) -> dict[str, Any]:
        return self.world.add_group(**fields).to_dict()

    async def _add_member(self, chat_id: int, user_id: int, admin: bool) -> None:
        self.world.add_member(chat_id, user_id, admin)

    async def _messages(self, chat_id: int, include_deleted: bool) -> list[dict[str, Any]]:
        return [m.to_dict() for m in self.world.messages(chat_id, include_deleted)]

    async def _chat(self, chat_id: int) -> dict[str, Any]:
        chat = self.world.chats.get(chat_id)
        if chat is None:
            raise ControlError(f"unknown chat {chat_id}", status=404)
        return chat.to_dict()

    async def _events(self, after: int, wait: float, chat_id: int | None) -> list[dict[str, Any]]:
        found = await self.world.wait_events(after, wait, chat_id)
        return [event.to_dict() for event in found]

    async def _callback_answers(self, query_id: str) -> list[dict[str, Any]]:
        return [record.to_dict() for record in self.world.callback_answers(query_id)]

    async def file_bytes(self, file_id: str) -> bytes:
        stored = self.world.files.get(file_id)
        if stored is None:
            raise ControlError(f"unknown file {file_id}", status=404)
        return stored.data


class InProcessWorld(WorldInThisProcess):
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot | None = None,
        *,
        emulator: Emulator | None = None,
        token: str = DEFAULT_TOKEN,
        raise_errors: bool = True,
        timeout: float = 2.0,
        **workflow_data: Any,
    ) -> None:
        """`bot` must use an `EmulatorSession`; without one a Bot is created for `token`.
        `workflow_data` is passed to every `feed_update` (like `start_polling(**kwargs)`).
        With `raise_errors` an exception escaping the handlers fails the test's action."""
        self._owns_bot = bot is None
        if bot is None:
            bot = Bot(token, session=EmulatorSession(emulator or Emulator()))
        session = bot.session
        if not isinstance(session, EmulatorSession):
            raise TypeError("InProcessWorld needs a Bot whose session is an EmulatorSession")
        self.bot = bot
        self.dispatcher = dispatcher
        self.emulator = session.emulator
        self.world: BotWorld = self.emulator.world(bot.token)
        self.world.set_allowed_updates(dispatcher.resolve_used_update_types())
        self.workflow_data = workflow_data
        self.raise_errors = raise_errors
        self.errors: list[BaseException] = []
        self.timeout = timeout
        self.quiet_period = 0.0
        self._lock = asyncio.Lock()
        self.processor: Any = None  # bot.runner.UpdateProcessor, when built by for_app

    @classmethod
    def for_app(cls, app: Any, **options: Any) -> InProcessWorld:
        """Handle updates through `app` (a bot.app.BotApp) as the real process does."""
        world = cls(app.dispatcher, app.bot, **options)
        world.processor = app.processor
        app.processor.error_listeners.append(world._handler_failed)
        return world

    def _handler_failed(self, error: BaseException) -> None:
        self.errors.append(error)

    async def __aenter__(self) -> InProcessWorld:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_bot:
            await self.bot.session.close()

    async def settle(self) -> None:
        """Feed every queued update to the dispatcher, in order, until the queue is empty."""
        async with self._lock:
            while pending := self.world.take_all_updates():
                for payload in pending:
                    await self._feed(payload)

    async def _feed(self, payload: dict[str, Any]) -> None:
        if self.processor is not None:
            await self._process(payload)
            return
        try:
            update = Update.model_validate(payload, context={"bot": self.bot})
            result = await self.dispatcher.feed_update(self.bot, update, **self.workflow_data)
            if isinstance(result, TelegramMethod):
                await self.bot(result)
        except Exception as error:
            if self.raise_errors:
                raise
            log.exception("update %s failed", payload.get("update_id"))
            self.errors.append(error)

    async def _process(self, payload: dict[str, Any]) -> None:
        """As the intake does: commit the update to the inbox, then handle it."""
        update_id = payload["update_id"]
        update = Update.model_validate(payload, context={"bot": self.bot})
        failed = len(self.errors)
        if await self.processor.inbox.store([(update_id, json.dumps(payload))]):
            await self.processor.process(update_id, update)
        if self.raise_errors and len(self.errors) > failed:
            raise self.errors[failed]

    async def handle_at_once(self, payloads: list[dict[str, Any]]) -> None:
        """Handle these updates concurrently (as updates of different chats are), not one
        after another: for races such as simultaneous presses of one button."""
        await asyncio.gather(*(self._feed(payload) for payload in payloads))

    # -- primitives -------------------------------------------------------------------------

    async def _act(self, action: str, **fields: Any) -> dict[str, Any]:
        if action not in USER_ACTIONS:
            raise ControlError(f"unknown action {action}")
        return getattr(self.world, action)(**fields).to_dict()

    async def _topic(self, action: str, **fields: Any) -> dict[str, Any]:
        if action not in ("create", "edit", "close", "reopen", "delete"):
            raise ControlError(f"unknown topic action {action}")
        topic = getattr(self.world, f"{action}_topic")(**fields)
        return {**topic.to_dict(), "seq": self.world.last_seq}
