"""Durable intake of updates: commit every update to the inbox before acknowledging it.

aiogram's own polling acknowledges an update (by the next getUpdates offset) before its
handler has finished, so a crash loses it. Here each batch from getUpdates is committed to
the inbox first; only then does the next getUpdates call move the offset. Updates are
processed from the inbox, in order per chat and concurrently across chats, and marked done.
After a restart, unfinished rows are processed first; an update_id seen before is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError
from pydantic_core import to_json

from bot.db.inbox import InboxRepo
from bot.db.leads import OUTBOX_MARK
from bot.db.replies import NewReply, StoredReply
from bot.db.repos import Repositories
from bot.delivery.codec import encode
from bot.delivery.replies import Replies, Track, collecting
from bot.delivery.sender import ReplySender

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BACKOFF_START, BACKOFF_MAX = 0.5, 30.0
REQUEST_SLACK = 10  # a getUpdates request may take this much longer than its long-poll timeout
# Updates taken in before the intake waits for room. Enough to keep every processing slot
# busy; more only holds parsed updates in memory (20 MB per thousand) that Telegram, or the
# webhook connection, would hold as well.
MAX_BACKLOG = 256
# An update whose handler met a transient Telegram failure is handled again after RETRY_BASE
# seconds, doubling up to RETRY_MAX, for GIVE_UP_AFTER seconds at most.
RETRY_BASE, RETRY_MAX, GIVE_UP_AFTER = 0.5, 30.0, 3600.0
TRANSIENT = (TelegramServerError, TelegramNetworkError, TelegramRetryAfter)


class GetRawUpdates(TelegramMethod[list[Any]]):
    """getUpdates whose answer is left as JSON objects. aiogram's GetUpdates parses the
    whole batch at once: one update it cannot read (a newer Bot API shape) would fail every
    retry and stall the intake forever. Here each update is parsed on its own."""

    __returning__: ClassVar[type] = list[Any]
    __api_method__: ClassVar[str] = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


def _track(track: Track | None) -> dict[str, Any] | None:
    return None if track is None else {"kind": track.kind, "data": track.data}


def unparseable(error: ValidationError) -> str:
    """What the inbox records for an update aiogram cannot read."""
    return f"unparseable: {error.error_count()} error(s)"


class IntakeStopped(Exception):
    """Polling cannot go on (another instance polls the same token, or the token is revoked)."""


def ordering_key(update: Update) -> int:
    """Updates with the same key are handled strictly in order (one chat, or one user)."""
    try:
        event = update.event
    except UpdateTypeLookupError:  # a kind of update aiogram does not know: no chat to keep
        return 0
    chat = getattr(event, "chat", None)
    if chat is not None:
        return chat.id
    message = getattr(event, "message", None)
    if message is not None and getattr(message, "chat", None) is not None:
        return message.chat.id
    user = getattr(event, "from_user", None)
    return user.id if user is not None else 0


class UpdateProcessor:
    """Handles inbox rows: ordered per chat, bounded concurrency, one transaction each.

    This is where reliability lives for everything an update changes. The dispatcher runs
    inside a unit of work (bot/db/database.py): every write its handlers make, the replies
    they collected (bot/delivery/replies.py) and the inbox row's `done` mark commit together
    or not at all. Only after the commit are the replies sent (bot/delivery/sender.py). So:

    * a crash before the commit leaves nothing behind: the update is still pending and is
      handled again from scratch after the restart, as if for the first time;
    * a crash after it finds the update done and its replies owed: they are sent, and only
      the one in flight at the crash can reach Telegram twice;
    * a transient Telegram failure inside a handler (a read such as getChatMember: 5xx, 429,
      network) rolls the update back and it is tried again with backoff, in its chat's order;
    * any other exception rolls it back, marks it failed and apologises to the person.
    """

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        repo: Repositories,
        sender: ReplySender,
        *,
        max_concurrency: int = 64,
        on_processed: Callable[[float], None] | None = None,
        apology: Callable[[Update], TelegramMethod[Any] | None] | None = None,
        on_outbox: Callable[[], None] | None = None,
        retry_base: float = RETRY_BASE,
        retry_max: float = RETRY_MAX,
        give_up_after: float = GIVE_UP_AFTER,
        **workflow_data: Any,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.repo = repo
        self.inbox = repo.inbox
        self.sender = sender
        self.workflow_data = workflow_data
        self.on_processed = on_processed
        # Called with every exception that failed an update (metrics, tests).
        self.error_listeners: list[Callable[[BaseException], None]] = []
        self.apology = apology
        self.on_outbox = on_outbox  # an update's unit added to the outbox (it is committed)
        self.retry_base, self.retry_max, self.give_up_after = retry_base, retry_max, give_up_after
        self._slots = asyncio.Semaphore(max_concurrency)
        self._tails: dict[int, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._room = asyncio.Event()  # set whenever an update finishes
        self._stopping = asyncio.Event()
        # Since start, for metrics: updates marked done, marked failed, retried.
        self.processed = 0
        self.failed = 0
        self.retried = 0

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def submit(
        self, update_id: int, update: Update, received_at: float | None = None,
        *, replay: bool = False,
    ) -> asyncio.Task[None]:
        key = ordering_key(update)
        previous = self._tails.get(key)
        task = asyncio.create_task(
            self._run(update_id, update, key, previous, received_at, replay)
        )
        self._chain(key, task)
        return task

    def run_in_lane(
        self, key: int, job: Callable[[], Awaitable[None]]
    ) -> asyncio.Task[None]:
        """Run `job` in the order of chat `key`: after the update of that chat in progress
        (and its replies), before the next one, which waits for the job to end. A background
        sender that acts in a chat this way (bot/nudges/sender.py) never interleaves with
        the chat's own updates: what an update changed is committed before the job looks,
        and an update that comes meanwhile sees what the job did. The job takes no
        processing slot and must handle its own errors."""
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run_job(job, previous))
        self._chain(key, task)
        return task

    def _chain(self, key: int, task: asyncio.Task[None]) -> None:
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(lambda t, k=key: self._forget(t, k))

    async def _run_job(
        self, job: Callable[[], Awaitable[None]], previous: asyncio.Task[None] | None
    ) -> None:
        if previous is not None:
            with contextlib.suppress(BaseException):
                await asyncio.shield(previous)
        try:
            await job()
        except Exception:
            log.exception("a job in a chat's order failed")

    def _forget(self, task: asyncio.Task[None], key: int) -> None:
        self._tasks.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]
        self._room.set()

    async def _run(
        self,
        update_id: int,
        update: Update,
        lane: int,
        previous: asyncio.Task[None] | None,
        received_at: float | None,
        replay: bool,
    ) -> None:
        if previous is not None:
            with contextlib.suppress(BaseException):
                await asyncio.shield(previous)
        async with self._slots:
            await self.process(update_id, update, replay=replay, lane=lane)
        if self.on_processed is not None and received_at is not None:
            self.on_processed(time.monotonic() - received_at)

    def stop_retrying(self) -> None:
        """Shutting down: updates waiting to be tried again stay pending for the next start."""
        self._stopping.set()

    async def process(
        self, update_id: int, update: Update, *, replay: bool = False, lane: int | None = None
    ) -> None:
        """Handle one update and deliver its replies (`lane`: its `ordering_key`, if known)."""
        if replay:
            await self.inbox.start_replay(update_id)
        if lane is None:
            lane = ordering_key(update)
        delay, started = self.retry_base, time.monotonic()
        while True:
            try:
                rows = await self._handle(update_id, update, lane)
            except TRANSIENT as error:
                if time.monotonic() - started > self.give_up_after:
                    rows = await self._fail(update_id, update, lane, error)
                    break
                wait = error.retry_after if isinstance(error, TelegramRetryAfter) else delay
                log.warning(
                    "update %d: Telegram failed (%s); handled again in %.1fs",
                    update_id, type(error).__name__, wait,
                )
                self.retried += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), wait)
                if self._stopping.is_set():
                    return  # still pending: the next start handles it
                delay = min(delay * 2, self.retry_max)
                continue
            except Exception as error:  # one bad update must not stop the others
                rows = await self._fail(update_id, update, lane, error)
                break
            self.processed += 1
            break
        self.sender.accept(rows)
        await self.sender.deliver(lane)

    async def _handle(self, update_id: int, update: Update, lane: int) -> list[StoredReply]:
        """Run the handlers; commit their writes, their replies and `done` as one."""
        replies = Replies(lane)
        async with self.repo.db.unit() as unit:
            with collecting():
                await self.dispatcher.feed_update(
                    self.bot, update, reply=replies, **self.workflow_data
                )
            # Both staged: with the handlers' staged writes they run in the commit's round
            # trip to the writer (bot/db/database.py).
            staged = await self.repo.replies.add(
                lane,
                [
                    NewReply(
                        encode(out.method),
                        _track(out.track),
                        encode(out.otherwise) if out.otherwise is not None else None,
                        out.method,
                    )
                    for out in replies.calls
                ],
            )
            await self.inbox.mark_done(update_id)
        if self.on_outbox is not None and unit.marked(OUTBOX_MARK):
            self.on_outbox()
        return staged.stored()

    async def _fail(
        self, update_id: int, update: Update, lane: int, error: BaseException
    ) -> list[StoredReply]:
        log.error("update %d failed: %s", update_id, type(error).__name__, exc_info=error)
        self.failed += 1
        for listener in self.error_listeners:
            listener(error)
        apology = self.apology(update) if self.apology is not None else None
        async with self.repo.db.unit():
            staged = await self.repo.replies.add(
                lane, [NewReply(encode(apology))] if apology is not None else []
            )
            await self.inbox.mark_failed(update_id, f"{type(error).__name__}: {error}")
        return staged.stored()

    async def wait_for_room(self, limit: int) -> None:
        """Return once fewer than `limit` updates are in flight (intake backpressure).

        Woken by each finished update: O(1), where `asyncio.wait` on the in-flight set would
        hook and unhook a callback on each of its hundreds of tasks every time."""
        while len(self._tasks) >= limit:
            self._room.clear()
            await self._room.wait()

    async def drain(self, timeout: float | None) -> bool:  # noqa: ASYNC109
        """Wait for in-flight updates; True if all finished within `timeout`."""
        if not self._tasks:
            return True
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        return not pending

    async def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def resume_unfinished(bot: Bot, processor: UpdateProcessor, inbox: InboxRepo) -> int:
    """Process what a previous run stored but did not finish, before taking anything new."""
    given_up = await inbox.recover(MAX_ATTEMPTS)
    if given_up:
        log.error("gave up on %d update(s) that were in flight during repeated crashes", given_up)
    items = await inbox.pending(limit=1_000_000)
    for item in items:
        try:
            update = Update.model_validate_json(item.payload, context={"bot": bot})
        except ValidationError as error:
            log.error("update %d in the inbox cannot be parsed; marked failed", item.update_id)
            await inbox.mark_failed(item.update_id, unparseable(error))
            continue
        processor.submit(item.update_id, update, replay=True)
    if items:
        log.info("resuming %d unfinished update(s) from the inbox", len(items))
    return len(items)


class DurablePolling:
    """getUpdates → inbox (committed) → processor; graceful stop on request."""

    mode = "polling"

    def __init__(
        self,
        bot: Bot,
        processor: UpdateProcessor,
        inbox: InboxRepo,
        *,
        polling_timeout: int = 25,
        allowed_updates: list[str] | None = None,
        max_backlog: int = MAX_BACKLOG,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.bot = bot
        self.processor = processor
        self.inbox = inbox
        self.polling_timeout = polling_timeout
        self.allowed_updates = allowed_updates
        self.max_backlog = max_backlog
        self.on_error = on_error
        self._stopping = asyncio.Event()
        self._fetch_task: asyncio.Task[list[Any]] | None = None
        self._running = False
        self._last_turn = 0.0  # monotonic time the loop last came round (for /healthz)

    def stop(self) -> None:
        self._stopping.set()
        if self._fetch_task is not None:
            self._fetch_task.cancel()

    @property
    def alive(self) -> bool:
        """The loop runs and has come round lately: a long poll, plus its slack and the
        longest backoff, is the most a healthy loop spends in one turn."""
        limit = self.polling_timeout + REQUEST_SLACK + BACKOFF_MAX + 5
        return self._running and time.monotonic() - self._last_turn < limit

    async def resume_unfinished(self) -> int:
        """Process what a previous run stored but did not finish, before fetching anything."""
        return await resume_unfinished(self.bot, self.processor, self.inbox)

    async def run(self) -> None:
        self._running, self._last_turn = True, time.monotonic()
        try:
            await self._run()
        finally:
            self._running = False

    async def _run(self) -> None:
        await self.resume_unfinished()
        offset: int | None = None
        delay = BACKOFF_START
        while not self._stopping.is_set():
            if self.processor.in_flight >= self.max_backlog:
                await self.processor.wait_for_room(self.max_backlog)
                continue
            self._last_turn = time.monotonic()
            method = GetRawUpdates(
                offset=offset, timeout=self.polling_timeout, allowed_updates=self.allowed_updates
            )
            self._fetch_task = asyncio.ensure_future(
                self.bot(method, request_timeout=self.polling_timeout + REQUEST_SLACK)
            )
            try:
                updates = await self._fetch_task
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break
                raise
            except TelegramConflictError as error:
                raise IntakeStopped(
                    "another process is receiving updates for this bot token "
                    f"(Telegram answered 409 {error.message}); stop it, then restart"
                ) from None
            except TelegramUnauthorizedError:
                raise IntakeStopped("Telegram rejected BOT_TOKEN (401 Unauthorized)") from None
            except Exception as error:  # network trouble: back off and go on
                log.warning(
                    "getUpdates failed (%s); retrying in %.1fs", type(error).__name__, delay
                )
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            finally:
                self._fetch_task = None
                self._last_turn = time.monotonic()
            delay = BACKOFF_START
            if not updates:
                continue
            received = time.monotonic()
            offset = await self._store(updates, received, offset)

    async def _store(
        self, batch: list[Any], received: float, offset: int | None
    ) -> int | None:
        """Parse each update, commit the batch to the inbox, hand the new ones to the
        processor; return the offset that acknowledges the batch."""
        rows: list[tuple[int, str]] = []
        parsed: dict[int, Update] = {}
        failed: dict[int, str] = {}
        for raw in batch:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                log.error("getUpdates returned an item without an update_id; skipped")
                self._error("polling:bad_update")
                continue
            rows.append((update_id, to_json(raw).decode()))  # compact UTF-8, 5x json.dumps
            try:
                parsed[update_id] = Update.model_validate(raw, context={"bot": self.bot})
            except ValidationError as error:
                log.error("update %d cannot be parsed; stored as failed", update_id)
                self._error("polling:unparseable")
                failed[update_id] = unparseable(error)
        if not rows:
            return offset
        fresh = set(await self.inbox.store(rows, failed))
        # Committed: the next getUpdates may acknowledge these.
        for update_id, _ in rows:
            if update_id in fresh:
                fresh.discard(update_id)  # twice in one batch: handled once
                if update_id in parsed:
                    self.processor.submit(update_id, parsed[update_id], received)
            else:
                log.info("update %d was seen before; ignored", update_id)
        return max(update_id for update_id, _ in rows) + 1

    def _error(self, kind: str) -> None:
        if self.on_error is not None:
            self.on_error(kind)
