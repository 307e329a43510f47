"""Delivers committed replies: in order per chat (lane), retried on Telegram's transient
failures, each forgotten once Telegram has taken it.

The update processor hands over the rows it just committed and awaits `deliver(lane)`, so
an owner's next update is handled after the answer to the previous one went out and the
common case costs no polling. A call Telegram throttles (429) or cannot take now (5xx,
network, timeout) stays at the head of its lane with a due time; the background loop
(`start()`) delivers it then, and everything behind it in that chat waits, so order holds.
Rows left by a previous process are loaded at start and go first. The one exception to
strict order saves the person a round trip per press: a button's answer goes out together
with what the press brings (`answers_alongside`).

Refusals that retrying cannot change end the call: an edit of a message that is gone or
unchanged, a callback answered too late, a chat that blocked the bot (403) — logged, dropped,
and the lane moves on (a 403 from a private chat also tells `on_blocked`, which stops the
person's reminders).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import Message

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.db.replies import ReplyRepo, StoredReply
from bot.delivery.codec import decode
from bot.telegram_retry import PASSING, REFUSED, direct_calls

log = logging.getLogger(__name__)

RETRY_BASE, RETRY_MAX = 0.5, 30.0
MAX_UNEXPECTED_ATTEMPTS = 5
# 400s of an edit whose message cannot be edited any more (its `otherwise` goes instead).
GONE = ("message to edit not found", "message can't be edited")
# 400s that mean "nothing left to do" rather than "this call was wrong".
SETTLED = (
    "message is not modified",
    "query is too old",
    "query id is invalid",
    "message to edit not found",
    "message to delete not found",
    "message can't be edited",
    "message can't be deleted",
)


@dataclass(slots=True)
class _Lane:
    id: int
    rows: deque[StoredReply] = field(default_factory=deque)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    due: float = 0.0  # the head may not be tried before this (after a transient failure)
    settled: int | None = None  # delivered harmless calls not yet forgotten: up to this id
    forgotten: int = 0  # every call up to this id is forgotten (a message's delivery)


def answers_alongside(lane: _Lane) -> bool:
    """The lane's head answers a button press and more follows it (the message the press
    brings, an edit): the answer goes out alongside them instead of before them. A press is
    answered to stop the button's spinner, and the person waits for what follows; in order,
    that would wait a whole round trip to Telegram for the answer first. Answers stay in
    order with each other; one tried again (after a failure) goes the ordinary way."""
    if len(lane.rows) < 2:
        return False
    head = lane.rows[0]
    return head.call.method == "answerCallbackQuery" and head.attempts == 0 and head.track is None


def harmless_again(row: StoredReply) -> bool:
    """A call whose repetition nobody sees as a second message: answering a callback (the
    answer to a query that old is refused), an edit (the message already reads so: "not
    modified"), a deletion or a setting. It is forgotten together with the next message,
    saving a write per call; a kill in between makes it go again, harmlessly."""
    name = row.call.method
    return row.track is None and name.startswith(("answer", "edit", "delete", "set"))


class ReplySender(BackgroundLoop):
    """Delivers in the update's task (`deliver`); as a background loop, it retries what a
    transient failure left due later."""

    name = "reply-sender"

    def __init__(
        self,
        bot: Bot,
        replies: ReplyRepo,
        *,
        clock: Clock | None = None,
        retry_base: float = RETRY_BASE,
        retry_max: float = RETRY_MAX,
        on_recorded: Callable[[], None] | None = None,
        on_blocked: Callable[[int], Awaitable[object]] | None = None,
    ) -> None:
        """`on_recorded`: called after a tracked message was recorded (the outbox may have
        work: a lead erased while its message was on the way). `on_blocked`: called with
        the person's id when Telegram refuses a call to their private chat with 403 (they
        blocked the bot)."""
        super().__init__(clock=clock)
        self.on_recorded = on_recorded
        self.on_blocked = on_blocked
        self.bot = bot
        self.replies = replies
        self.retry_base, self.retry_max = retry_base, retry_max
        self._lanes: dict[int, _Lane] = {}
        self.delivered = 0  # calls Telegram took, since start (for metrics and tests)

    # -- hand-over -------------------------------------------------------------------------

    async def load(self) -> int:
        """Take over what a previous process committed but did not deliver."""
        rows = await self.replies.pending()
        self.accept(rows)
        if rows:
            log.info("%d repl(ies) owed from before the restart", len(rows))
        return len(rows)

    def accept(self, rows: list[StoredReply]) -> None:
        for row in rows:
            lane = self._lanes.get(row.lane)
            if lane is None:
                lane = self._lanes[row.lane] = _Lane(row.lane)
            lane.rows.append(row)
            if row.attempts:
                lane.due = max(lane.due, row.next_attempt_at)

    def owed(self, lane: int | None = None) -> int:
        """Calls not yet delivered (to one chat, or in all)."""
        if lane is not None:
            found = self._lanes.get(lane)
            return len(found.rows) if found else 0
        return sum(len(found.rows) for found in self._lanes.values())

    async def forget_lane(self, lane: int) -> None:
        """Drop everything still owed to one chat (in memory and stored)."""
        found = self._lanes.pop(lane, None)
        if found is not None:
            found.rows.clear()
        await self.replies.drop_lane(lane)

    # -- delivery --------------------------------------------------------------------------

    async def deliver(self, lane_id: int) -> bool:
        """Deliver the lane's due calls in order; True when the lane is empty afterwards."""
        lane = self._lanes.get(lane_id)
        if lane is None:
            return True
        async with lane.lock:
            answering: asyncio.Task[_Lane] | None = None
            try:
                while lane.rows:
                    if lane.due > self.clock.now():
                        break
                    if answering is None and answers_alongside(lane):
                        answering = asyncio.create_task(self._answer(lane.rows.popleft()))
                        continue
                    if not await self._deliver_head(lane):
                        break
            finally:
                if answering is not None:
                    self._settle_answer(lane, await answering)
                if lane.settled is not None:
                    await self.replies.forget_through(lane.id, lane.settled)
                    lane.settled = None
            if not lane.rows:
                if self._lanes.get(lane_id) is lane:
                    del self._lanes[lane_id]
                return True
        # Left for later (throttled, or Telegram failing): the loop takes it from here. Woken
        # only now that the lane is free, or the loop could find it locked and sleep past it.
        self.wakeup.set()
        return False

    async def _answer(self, row: StoredReply) -> _Lane:
        """Deliver a button's answer on a lane of its own (`answers_alongside`)."""
        own = _Lane(row.lane, deque([row]))
        await self._deliver_head(own)
        return own

    @staticmethod
    def _settle_answer(lane: _Lane, own: _Lane) -> None:
        """Fold an answer delivered alongside back into its lane: still owed (a transient
        failure), it goes back to the head and is tried again the ordinary way; delivered,
        it is forgotten with the lane's next harmless call, unless a message delivered after
        it already forgot it."""
        if own.rows:
            lane.rows.appendleft(own.rows[0])
            lane.due = max(lane.due, own.due)
        if own.settled is not None and own.settled > lane.forgotten:
            lane.settled = max(lane.settled or 0, own.settled)

    async def _deliver_head(self, lane: _Lane) -> bool:
        """Try the lane's first call; True when the lane may go on."""
        row = lane.rows[0]
        try:
            method = row.made if row.made is not None else decode(row.call)
            with direct_calls():
                result: Any = await self.bot(method)
        except TelegramRetryAfter as error:
            await self._later(lane, row, error.retry_after, error)
            return False
        except PASSING as error:
            await self._later(lane, row, self._backoff(row), error)
            return False
        except REFUSED as error:
            if row.otherwise is not None and any(m in error.message.lower() for m in GONE):
                log.info("reply %d (%s): %s; sending its alternative", row.id,
                         row.call.method, error.message)
                lane.rows[0] = await self.replies.instead(row)
                return True
            if any(marker in error.message.lower() for marker in SETTLED):
                log.info("reply %d (%s): %s; nothing left to do", row.id, row.call.method,
                         error.message)
            else:
                log.warning("reply %d (%s) refused by Telegram: %s; dropped", row.id,
                            row.call.method, error.message)
            await self.replies.drop(row.id)
            lane.rows.popleft()
            if isinstance(error, TelegramForbiddenError):
                await self._blocked(row.lane)
            return True
        except Exception:  # a bug must not hold the chat forever
            log.exception("reply %d (%s) failed", row.id, row.call.method)
            if row.attempts + 1 >= MAX_UNEXPECTED_ATTEMPTS:
                await self.replies.drop(row.id)
                lane.rows.popleft()
                return True
            await self._later(lane, row, self._backoff(row), None)
            return False
        chat_id = message_id = None
        if isinstance(result, Message):
            chat_id, message_id = result.chat.id, result.message_id
        if harmless_again(row):
            lane.settled = row.id
        else:  # forgets the harmless ones before it too
            await self.replies.delivered(row, chat_id, message_id)
            lane.settled = None
            lane.forgotten = row.id
        if row.track and self.on_recorded is not None:
            self.on_recorded()
        lane.rows.popleft()
        lane.due = 0.0
        self.delivered += 1
        return True

    async def _blocked(self, lane: int) -> None:
        if self.on_blocked is None or lane <= 0:  # private chats only: their id is the person's
            return
        try:
            await self.on_blocked(lane)
        except Exception:
            log.exception("recording a blocked chat failed")

    def _backoff(self, row: StoredReply) -> float:
        return float(min(self.retry_base * 2 ** min(row.attempts, 30), self.retry_max))

    async def _later(
        self, lane: _Lane, row: StoredReply, delay: float, error: BaseException | None
    ) -> None:
        at = self.clock.now() + delay
        description = f"{type(error).__name__}: {getattr(error, 'message', error)}" if error else "error"
        log.warning("reply %d (%s): %s; retry in %.1fs", row.id, row.call.method, description, delay)
        await self.replies.retry_at(row.id, at, description)
        lane.rows[0] = dataclasses.replace(row, attempts=row.attempts + 1, next_attempt_at=at)
        lane.due = at

    # -- the background loop (bot/background.py) ----------------------------------------

    async def turn(self) -> float:
        """Deliver every lane that is due and not being delivered; when is the next due."""
        next_due = math.inf
        for lane_id, lane in list(self._lanes.items()):
            if self.stopping:
                break
            if lane.lock.locked():  # the processor is delivering it
                continue
            if lane.due > self.clock.now():
                next_due = min(next_due, lane.due)
                continue
            try:
                if not await self.deliver(lane_id):
                    next_due = min(next_due, lane.due)
            except Exception:
                log.exception("delivering to chat %d failed", lane_id)
        return next_due
