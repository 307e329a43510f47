"""The one background sender of follow-ups: due rows out, in each chat's order, within the cap.

A pass first drops what is too late (more than NUDGE_STALE_AFTER after its due time: after
downtime reminders are not sent in a burst) and, inside the quiet hours, moves what is due
to their end. Then it walks the due rows oldest first and, paced at NUDGES_PER_SECOND in
all and at most one reminder a second per chat, hands each to the update processor to run in
its chat's order (`UpdateProcessor.run_in_lane`). There, between that chat's updates, the job:

1. reads the row again, with its owner: still pending and due? (a step handled before it
   deleted it);
2. asks the kind's message whether it is still true for the owner (bot/nudges/messages.py);
3. waits until the message fits Telegram's limits next to what the bot posts anyway (about 30
   a second in all; live answers first, bot/nudges/window.py) and its own cap, then sends it
   (no transaction is open meanwhile: the database's single writer stays free);
4. marks it sent — one statement, which also logs its funnel event and schedules the next
   of its series (a lesson that came by itself also records the progress with it).

An update of that chat that arrives during 2–4 waits for the job, so a step can never be
handled while its reminder is on the way: either the step came first and the reminder was
deleted with it, or the reminder went first and the step then cancels what follows it.
A kill between 3 and 4 sends that one reminder again after the restart; nothing is lost.

Telegram's answers: 429 moves the row by `retry_after` and pauses the whole sender as long;
5xx and network errors retry with backoff; 403 (blocked) marks the owner blocked and deletes
everything pending for them; other refusals fail the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.config import Settings
from bot.content import Content
from bot.db.nudges import PENDING, NudgeRow
from bot.db.repos import Repositories
from bot.domain import STAFF_KINDS, NudgeKind
from bot.nudges import bookings, policy
from bot.nudges.kinds import KINDS, quiet_kinds
from bot.nudges.messages import compose
from bot.nudges.quiet import inside, window_end
from bot.nudges.window import ROOM, TELEGRAM_PER_SECOND, SentWindow
from bot.telegram_retry import PASSING, REFUSED, direct_calls

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how often the sender looks for newly due reminders without being woken
PER_CHAT_SECONDS = 1.0  # Telegram: about one message a second in a chat
MAX_IN_FLIGHT = 4  # reminders on their way at once (a kill -9 may repeat these)
BATCH = 256
PASS_SECONDS = 30.0  # a pass through a long burst ends this often (stale, quiet, skipped)
RETRY_BASE, RETRY_MAX, MAX_ATTEMPTS = 1.0, 300.0, 8


class Lanes(Protocol):
    def run_in_lane(self, key: int, job: Callable[[], Awaitable[None]]) -> asyncio.Task[None]: ...


class NudgeSender(BackgroundLoop):
    name = "nudge-sender"
    error_pause = POLL_SECONDS
    longest_nap = POLL_SECONDS  # newly due reminders are found without being woken

    def __init__(
        self,
        bot: Bot,
        repo: Repositories,
        content: Content,
        settings: Settings,
        lanes: Lanes,
        *,
        clock: Clock | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        super().__init__(clock=clock or repo.clock)
        self.bot, self.repo, self.content, self.settings = bot, repo, content, settings
        self.lanes = lanes
        self.window = SentWindow.of(bot)
        self._own: deque[float] = deque()  # when this sender's last messages went (real time)
        self.rate = settings.nudges_per_second
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: set[int] = set()
        self._jobs: set[asyncio.Task[None]] = set()
        self._next_slot = 0.0  # clock time the next message may go (pacing)
        self._paused_until = 0.0  # after a 429
        self._last_to: dict[int, float] = {}  # chat -> when its last reminder went
        # Since start, for metrics, logs and the benchmark.
        self.sent = 0
        self.dropped = 0  # stale, obsolete, or the owner stopped or blocked meanwhile
        self.throttled = 0  # 429s
        self.db_seconds = 0.0  # time spent waiting for the database

    # -- lifecycle ------------------------------------------------------------------------

    async def stop(self, grace: float = 5.0) -> None:
        """Start nothing new; let what is on its way finish (up to `grace` seconds)."""
        await super().stop(grace)
        if self._jobs:
            await asyncio.wait(set(self._jobs), timeout=grace)
        if self.sent or self.dropped:
            log.info(
                "nudge sender: %d sent, %d dropped, %d throttled, %.3f ms of database time "
                "per reminder sent",
                self.sent, self.dropped, self.throttled, self.db_ms_per_sent(),
            )

    def db_ms_per_sent(self) -> float:
        return 1000 * self.db_seconds / self.sent if self.sent else 0.0

    async def turn(self) -> float:
        return await self.deliver_due()

    # -- one pass -------------------------------------------------------------------------

    async def deliver_due(self) -> float:
        """Send what is due now (each in its chat's order); return when to look again.
        Returns once every reminder it started has been sent or put back."""
        now = self.clock.now()
        await self._housekeep(now)
        retry_soon = False
        cursor: tuple[float, int] | None = None
        window = self.settings.quiet_hours
        quiet = set(quiet_kinds())
        ends = time.monotonic() + PASS_SECONDS
        while not self.stopping:
            if time.monotonic() > ends:  # a long burst: housekeep, and revisit what was skipped
                retry_soon = True
                break
            started = time.perf_counter()
            rows = await self.repo.nudges.due(self.clock.now(), after=cursor, limit=BATCH)
            self.db_seconds += time.perf_counter() - started
            if not rows:
                break
            for row in rows:
                cursor = (row.due_at, row.id)
                if row.id in self._in_flight:
                    continue
                current = self.clock.now()
                if row.kind in quiet and inside(window, current, self.settings.timezone):
                    retry_soon = True  # the quiet hours began: the next pass moves the rest
                    break
                stale = self.settings.nudge_stale_after
                if stale and row.due_at < current - stale:
                    retry_soon = True  # the next pass drops it
                    continue
                if current - self._last_to.get(row.user_id, -math.inf) < PER_CHAT_SECONDS:
                    retry_soon = True
                    continue
                await self._pace(self._messages_of(row))
                if self.stopping:
                    break
                await self._slots.acquire()
                self._start(row)
            else:
                continue
            break
        await self._settle()
        if retry_soon:
            return self.clock.now() + (0.0 if time.monotonic() > ends else PER_CHAT_SECONDS)
        started = time.perf_counter()
        next_due = await self.repo.nudges.next_due()
        self.db_seconds += time.perf_counter() - started
        return math.inf if next_due is None else next_due

    async def _settle(self) -> None:
        """Wait for the reminders on their way."""
        while self._jobs:
            await asyncio.wait(set(self._jobs))

    async def _housekeep(self, now: float) -> None:
        started = time.perf_counter()
        stale = self.settings.nudge_stale_after
        if stale:
            dropped = await self.repo.nudges.drop_stale(now - stale)
            if dropped:
                self.dropped += dropped
                log.warning("%d reminder(s) more than %.0f s late dropped, not sent", dropped,
                            stale)
        window = self.settings.quiet_hours
        if window is not None and inside(window, now, self.settings.timezone):
            until = window_end(window, now, self.settings.timezone)
            moved = await self.repo.nudges.postpone(quiet_kinds(), now, until)
            if moved:
                log.info("%d reminder(s) wait for the end of the quiet hours", moved)
        self.db_seconds += time.perf_counter() - started
        if len(self._last_to) > 10_000:
            self._last_to = {
                chat: at for chat, at in self._last_to.items() if now - at < PER_CHAT_SECONDS
            }

    def _messages_of(self, row: NudgeRow) -> int:
        """How many messages the reminder takes (a lesson may be longer than one)."""
        if row.kind == NudgeKind.daily_lesson:
            index = row.payload.get("lesson")
            if isinstance(index, int) and 1 <= index <= self.content.lesson_count:
                return len(self.content.lesson_pages(index))
        return 1

    async def _pace(self, messages: int) -> None:
        """Take `messages` slots of the rate cap, waiting for the first."""
        now = self.clock.now()
        slot = max(self._next_slot, now, self._paused_until)
        self._next_slot = slot + messages / self.rate
        if slot > now:
            await self.clock.sleep_until(slot, self._stopping)

    def _start(self, row: NudgeRow) -> None:
        self._in_flight.add(row.id)
        self._last_to[row.user_id] = self.clock.now()
        task = self.lanes.run_in_lane(row.user_id, lambda: self._attempt(row))
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    # -- one reminder, in its chat's order --------------------------------------------------

    async def _attempt(self, row: NudgeRow) -> None:
        try:
            await self._send(row)
        except Exception:
            log.exception("reminder %d (%s) failed", row.id, row.kind)
            with contextlib.suppress(Exception):
                await self._retry(row, "unexpected error")
        finally:
            self._in_flight.discard(row.id)
            self._slots.release()

    async def _send(self, row: NudgeRow) -> None:
        started = time.perf_counter()
        try:
            found = await self.repo.nudges.with_owner(row.id)
            if found is None:
                return  # a step of the owner deleted it meanwhile
            nudge, owner = found
            if nudge.status != PENDING or nudge.due_at > self.clock.now():
                return  # sent by an earlier pass, or moved by a step of the owner
            spec = KINDS.get(nudge.kind)
            if spec is None:
                await self.repo.nudges.fail(nudge.id, f"unknown kind {nudge.kind!r}")
                return
            methods = None
            to_staff = nudge.kind in STAFF_KINDS  # the owner's /stop or block does not matter
            if owner is not None and (to_staff or (not owner.stopped and not owner.blocked)):
                if spec.booking:
                    methods = await bookings.compose(
                        self.repo, nudge, self.content, self.settings, self.clock.now()
                    )
                else:
                    methods = compose(nudge, owner, self.content, self.settings)
            if not methods:
                reason = (
                    "no owner" if owner is None
                    else "stopped" if owner.stopped and not to_staff
                    else "blocked" if owner.blocked and not to_staff
                    else "obsolete"
                )
                if await self.repo.nudges.drop(nudge.id, reason):
                    self.dropped += 1
                log.info("reminder %d (%s) dropped: %s", nudge.id, nudge.kind, reason)
                return
        finally:
            self.db_seconds += time.perf_counter() - started
        try:
            with direct_calls():
                for method in methods:
                    await self._room()
                    await self.bot(method)
        except TelegramRetryAfter as error:
            self.throttled += 1
            at = self.clock.now() + error.retry_after
            self._paused_until = max(self._paused_until, at)
            log.warning("reminder %d throttled by Telegram for %ds", nudge.id, error.retry_after)
            await self._timed(self.repo.nudges.retry_at(nudge.id, at, "429"))
            return
        except TelegramForbiddenError as error:
            if to_staff:  # the bot is out of the consultants' group: not the owner's doing
                log.warning("reminder %d (%s) refused by Telegram: %s", nudge.id, nudge.kind,
                            error.message)
                await self._timed(self.repo.nudges.fail(nudge.id, error.message))
                return
            log.info("reminder %d: the owner blocked the bot; their reminders are cancelled",
                     nudge.id)
            await self._timed(policy.blocked(self.repo, nudge.user_id))
            return
        except PASSING as error:
            await self._retry(nudge, f"{type(error).__name__}: {error.message}")
            return
        except REFUSED as error:  # 403 is taken above
            log.warning("reminder %d (%s) refused by Telegram: %s", nudge.id, nudge.kind,
                        error.message)
            await self._timed(self.repo.nudges.fail(nudge.id, error.message))
            return
        started = time.perf_counter()
        await policy.sent(self.repo, self.settings, self.content.lesson_count, nudge)
        self.db_seconds += time.perf_counter() - started
        self.sent += 1
        log.debug("reminder %d (%s #%d) sent", nudge.id, nudge.kind, nudge.seq)

    async def _room(self) -> None:
        """Wait until this message fits what Telegram allows in the last second, next to
        what the bot posted anyway (live answers first), and this sender's own cap."""
        while True:
            wait = max(
                self.window.wait_for_room(TELEGRAM_PER_SECOND - ROOM), self._own_wait()
            )
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        self._own.append(time.monotonic())

    def _own_wait(self) -> float:
        """Seconds until this sender may post again within its cap (over any second)."""
        now = time.monotonic()
        while self._own and self._own[0] <= now - 1.0:
            self._own.popleft()
        allowed = max(1, math.floor(self.rate))
        if len(self._own) < allowed:
            return 0.0
        return max(self._own[len(self._own) - allowed] + 1.0 - now, 0.001)

    async def _retry(self, nudge: NudgeRow, reason: str) -> None:
        if nudge.attempts + 1 >= MAX_ATTEMPTS:
            log.error("reminder %d (%s) given up: %s", nudge.id, nudge.kind, reason)
            await self._timed(self.repo.nudges.fail(nudge.id, reason))
            return
        delay = min(RETRY_BASE * 2**nudge.attempts, RETRY_MAX)
        log.warning("reminder %d (%s): %s; retry in %.0fs", nudge.id, nudge.kind, reason, delay)
        await self._timed(self.repo.nudges.retry_at(nudge.id, self.clock.now() + delay, reason))

    async def _timed(self, work: Awaitable[object]) -> None:
        started = time.perf_counter()
        try:
            await work
        finally:
            self.db_seconds += time.perf_counter() - started
