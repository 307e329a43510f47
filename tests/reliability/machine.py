"""The bot's service loop in process, with a simulated kill -9 at any chosen point.

`Machine` runs what `bot.service.run_service` runs — durable polling into the inbox, the
update processor (one transaction per update), the dispatcher, the reply sender — against the
in-memory emulator, one `Generation` (process lifetime) after another over the same database
file.

`Fate` decides when a generation dies: every write to SQLite (a statement or a transaction)
and every Bot API request is an *operation*; the generation dies right before operation
number `crash_at`. From that instant every task of the generation raises `SimulatedCrash`
(a BaseException, so no handler or `except Exception` can swallow it) at its next operation
— the process is gone, nothing after that instant reaches the database or Telegram. Reads
have no effects and are not operations.

Not an operation: a reply's `delivered` record right after Telegram took the message. A
crash in that instant is the one window where a message is sent twice (the promise: a kill
repeats at most the one call in flight); it is counted as part of the send so that a run
killed anywhere else can be demanded to say exactly what an uninterrupted one says, with the
same message ids. `Fate(crash_at_record=k)` kills in exactly that window instead, before the
k-th such record (tests/reliability/test_crash_points.py checks the one repeat there).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite
from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.app import BotApp, create_app, create_bot
from bot.clock import Clock
from bot.config import Settings
from bot.content import Content
from bot.context_values import set_for_block
from bot.db import Database
from bot.db.replies import ReplyRepo
from bot.db.repos import Repositories
from bot.emulator.world import BotWorld, Emulator
from bot.runner import DurablePolling, UpdateProcessor, ordering_key
from bot.telegram_retry import RetryMiddleware
from tests.kit.inprocess_driver import WorldInThisProcess
from tests.kit.session import EmulatorSession
from tests.kit.views import MessageView

log = logging.getLogger(__name__)

class SimulatedCrash(BaseException):
    """The process died here (kill -9)."""


class Fate:
    """Counts operations and kills the generation before operation `crash_at`."""

    def __init__(self, crash_at: int | None = None, *, crash_at_record: int | None = None) -> None:
        self.crash_at = crash_at
        self.crash_at_record = crash_at_record
        self.ops = 0
        self.records = 0
        self.dead = False
        self.last: str = ""

    def op(self, what: str) -> None:
        if self.dead:
            raise SimulatedCrash(f"after death: {what}")
        if _recording_delivery.get():
            self.records += 1
            if self.crash_at_record is not None and self.records >= self.crash_at_record:
                self.dead = True
                self.last = what
                raise SimulatedCrash(f"record {self.records}: {what}")
            return
        self.ops += 1
        if self.crash_at is not None and self.ops >= self.crash_at:
            self.dead = True
            self.last = what
            raise SimulatedCrash(f"op {self.ops}: {what}")


_recording_delivery: ContextVar[bool] = ContextVar("recording_delivery", default=False)


def _record_deliveries_as_part_of_the_send(replies: ReplyRepo) -> None:
    delivered = replies.delivered

    async def delivered_in_the_send(*args: Any, **kwargs: Any) -> None:
        with set_for_block(_recording_delivery, True):
            await delivered(*args, **kwargs)

    replies.delivered = delivered_in_the_send  # type: ignore[method-assign]


class FatefulDatabase(Database):
    def __init__(self, path: Path, fate: Fate) -> None:
        super().__init__(path)
        self.fate = fate

    async def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        self.fate.op(f"write {sql[:60]}")
        return await super().write(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        self.fate.op("transaction")
        async with super().transaction() as conn:
            yield conn


class FatefulSession(EmulatorSession):
    def __init__(self, emulator: Emulator, fate: Fate) -> None:
        super().__init__(emulator)
        self.fate = fate

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None  # noqa: ASYNC109
    ) -> TelegramType:
        self.fate.op(f"call {method.__api_method__}")
        return await super().make_request(bot, method, timeout)


def _collect_crashed_tasks(processor: UpdateProcessor) -> None:
    """A task killed by the simulated crash is collected quietly (the real processor never
    lets an Exception out; anything else stays visible)."""
    submit = processor.submit

    def submit_and_collect(update_id: int, update: Any, received_at: float | None = None,
                           *, replay: bool = False) -> None:
        submit(update_id, update, received_at, replay=replay)
        processor._tails[ordering_key(update)].add_done_callback(_collect)

    processor.submit = submit_and_collect  # type: ignore[method-assign]


def _collect(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and isinstance(task.exception(), SimulatedCrash):
        return


class Generation:
    """One lifetime of the bot process."""

    def __init__(self, machine: Machine, fate: Fate) -> None:
        self.machine = machine
        self.fate = fate
        self.db = FatefulDatabase(machine.db_path, fate)
        self.repo: Repositories | None = None
        self.bot: Bot | None = None
        self.processor: UpdateProcessor | None = None
        self.polling: DurablePolling | None = None
        self.task: asyncio.Task[None] | None = None
        self.app: BotApp | None = None

    async def start(self) -> None:
        await self.db.connect()
        repo = self.repo = Repositories.create(self.db, clock=self.machine.clock)
        _record_deliveries_as_part_of_the_send(repo.replies)
        bot = self.bot = create_bot(
            self.machine.settings, session=FatefulSession(self.machine.emulator, self.fate)
        )
        if self.machine.retry_delay is not None:
            for middleware in bot.session.middleware:
                if isinstance(middleware, RetryMiddleware):
                    middleware.base_delay = self.machine.retry_delay
        options: dict[str, Any] = {}
        if self.machine.retry_delay is not None:
            delay = self.machine.retry_delay
            options = {"retry_base": delay, "retry_max": delay * 5,
                       "reply_retry": (delay, delay * 5)}
        app = self.app = create_app(
            self.machine.settings, repo=repo, content=self.machine.content, bot=bot,
            clock=self.machine.clock, **options,
        )
        self.processor = app.processor
        _collect_crashed_tasks(self.processor)
        self.polling = DurablePolling(
            bot, self.processor, repo.inbox, polling_timeout=1,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
        await app.replies.load()
        app.replies.start()
        self.task = asyncio.create_task(self._run())
        if self.machine.with_sender:
            app.outbox.start()

    async def _run(self) -> None:
        assert self.polling is not None
        with contextlib.suppress(SimulatedCrash):
            await self.polling.run()

    async def end(self) -> None:
        """Stop: gracefully when alive (finish what is in flight), else let every task
        run into its next operation and die there."""
        assert self.polling is not None and self.processor is not None
        self.polling.stop()
        self.processor.stop_retrying()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)
        finished = await self.processor.drain(10)
        assert finished, "tasks of a generation did not finish"
        await asyncio.gather(*self.processor._tasks, return_exceptions=True)
        if self.app is not None:
            for sender in (self.app.replies, self.app.outbox):
                with contextlib.suppress(SimulatedCrash):
                    await sender.stop(5)
        if self.bot is not None:
            await self.bot.session.close()
        await self.db.close()


class Machine:
    """Generations of the bot over one database, against one emulated Telegram."""

    def __init__(
        self, db_path: Path, settings: Settings, content: Content, emulator: Emulator,
        *, with_sender: bool = False, retry_delay: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`with_sender`: run the outbox sender too (it posts cards to the consultants'
        group), as the service does. `retry_delay`: the first back-off of the inline
        retries (0.5 s in production) — tests that provoke many retries shorten it.
        `clock`: the app's "now" (real time when not given)."""
        self.with_sender = with_sender
        self.clock = clock
        self.retry_delay = retry_delay
        self.clock = clock  # the senders' clock (a ShiftedClock lets a test move time)
        self.db_path = db_path
        self.settings = settings
        self.content = content
        self.emulator = emulator
        self.telegram: BotWorld = emulator.world(settings.token())
        self.generation: Generation | None = None
        self.generations = 0
        self.crashes = 0
        self.operations = 0  # of every ended generation

    async def boot(self, crash_at: int | None = None, *, crash_at_record: int | None = None) -> None:
        """Start a new generation (the previous one must have ended); it may die while
        starting, too — then it is over at once."""
        fate = Fate(crash_at, crash_at_record=crash_at_record)
        generation = self.generation = Generation(self, fate)
        self.generations += 1
        try:
            await generation.start()
        except SimulatedCrash:
            pass

    @property
    def dead(self) -> bool:
        return self.generation is None or self.generation.fate.dead

    async def halt(self) -> None:
        """End the current generation (graceful if alive; a crashed one just winds down)."""
        generation, self.generation = self.generation, None
        if generation is None:
            return
        self.operations += generation.fate.ops
        if generation.fate.dead:
            self.crashes += 1
        if generation.polling is None:  # died while starting
            await generation.db.close()
            return
        await generation.end()

    async def restart(self, crash_at: int | None = None) -> None:
        await self.halt()
        await self.boot(crash_at)

    def inject(self, payloads: list[dict[str, Any]]) -> None:
        for payload in payloads:
            self.telegram.inject_update(payload)

    async def settle(self, timeout: float = 10.0) -> bool:  # noqa: ASYNC109
        """Wait until everything Telegram has queued is stored and handled, or the
        generation died. True when it settled alive."""
        deadline = time.monotonic() + timeout
        while True:
            generation = self.generation
            if generation is None or generation.fate.dead or generation.repo is None:
                return False
            processor = generation.processor
            if processor is not None and processor.in_flight == 0:
                queued = [u["update_id"] for u in self.telegram.pending_updates()]
                if not any(not u.delivered for u in self.telegram._updates):
                    db = generation.repo.db
                    marks = ",".join("?" * len(queued))
                    stored = await db.fetchval(
                        f"SELECT count(*) FROM inbox WHERE update_id IN ({marks})", queued
                    ) if queued else 0
                    pending = await db.fetchval(
                        "SELECT count(*) FROM inbox WHERE status = 'pending'"
                    )
                    owed = generation.app.replies.owed() if generation.app else 0
                    if (
                        stored == len(set(queued)) and pending == 0
                        and processor.in_flight == 0 and owed == 0
                    ):
                        return True
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the machine did not settle in {timeout}s: {await self._describe()}"
                )
            await asyncio.sleep(0.001)


    async def settle_updates(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every update Telegram queued is stored and handled (replies may still
        be owed: Telegram may be refusing them)."""
        deadline = time.monotonic() + timeout
        while True:
            generation = self.generation
            assert generation is not None and generation.repo is not None
            processor = generation.processor
            pending = await generation.repo.db.fetchval(
                "SELECT count(*) FROM inbox WHERE status = 'pending'"
            )
            undelivered = any(not u.delivered for u in self.telegram._updates)
            if not undelivered and pending == 0 and processor is not None and (
                processor.in_flight == 0
            ):
                return
            assert time.monotonic() < deadline, await self._describe()
            await asyncio.sleep(0.005)

    async def _describe(self) -> str:
        generation = self.generation
        if generation is None or generation.repo is None:
            return "no generation"
        rows = await generation.repo.db.fetchall(
            "SELECT update_id, status, attempts FROM inbox ORDER BY update_id DESC LIMIT 8"
        )
        task = generation.task
        polling = "running"
        if task is not None and task.done():
            polling = "cancelled" if task.cancelled() else f"ended: {task.exception()!r}"
        replies = generation.app.replies if generation.app else None
        owed = {
            lane: (len(item.rows), round(item.due - replies.clock.now(), 3), item.lock.locked())
            for lane, item in (replies._lanes.items() if replies else ())
        }
        return (
            f"replies owed {owed} (sender running: {replies.running if replies else None}), "
            f"queued {[(u.update_id, u.delivered) for u in self.telegram._updates]}, "
            f"inbox {[tuple(r) for r in rows]}, in flight "
            f"{generation.processor.in_flight if generation.processor else None}, "
            f"polling {polling}"
        )


class LiveWorld(WorldInThisProcess):
    """People talking to a `Machine`: actions go into the emulator, the machine's polling
    picks them up; `settle()` waits until the machine has handled them. Every action is
    recorded per chat, so the same conversation can be played again elsewhere."""

    def __init__(self, machine: Machine, *, timeout: float = 5.0) -> None:
        self.machine = machine
        self.world = machine.telegram
        self.timeout = timeout
        self.quiet_period = 0.0
        self.actions: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        # While Telegram refuses everything, an action settles once its update is handled
        # (its replies wait for Telegram).
        self.replies_owed_ok = False

    async def settle(self) -> None:
        if self.replies_owed_ok:
            await self.machine.settle_updates()
        else:
            await self.machine.settle()

    async def _act(self, action: str, **fields: Any) -> dict[str, Any]:
        chat_id = fields.get("chat_id") or fields["user_id"]
        self.actions.setdefault(chat_id, []).append((action, dict(fields)))
        return getattr(self.world, action)(**fields).to_dict()


def transcript(world: BotWorld, chat_id: int) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """What the bot shows in a chat now: each message's text and its buttons."""
    shown = []
    for message in world.bot_messages(chat_id):
        view = MessageView.of(message)
        rows = (view.reply_markup or {}).get("inline_keyboard") or []
        buttons = tuple(tuple(b.get("text", "") for b in row) for row in rows)
        shown.append((view.html or view.content, buttons))
    return shown


def _pin_response_models() -> list[type]:
    """aiogram parametrizes `Response[...]` for every answer it checks; pydantic caches the
    generated model only while something holds it, and building one costs milliseconds.
    Holding the common ones keeps thousands of in-process runs fast (no effect on behaviour)."""
    from aiogram.methods.base import Response
    from aiogram.types import Chat, ChatMember, Message, Update, User

    kinds: list[Any] = [Message, bool, list[Update], User, Chat, ChatMember, int, str,
                        Message | bool, list[Message]]
    return [Response[kind] for kind in kinds]


_PINNED = _pin_response_models()
