"""The outbox sender: a background task that posts pending notifications, in order.

Each lane (the consultants' group, or one admin's private chat) is delivered strictly in id
order: only the oldest pending row of a lane is tried, so a throttled or failing row holds
back the ones behind it. Calls to the group keep under `group_messages_per_minute` in any
sliding minute. The sender's calls bypass the inline RetryMiddleware (`direct_calls`):

* 429 — the row is rescheduled `retry_after` seconds later (nothing sleeps in a request);
* 5xx, network errors, timeouts — rescheduled with exponential backoff;
* the group became a supergroup — the new id is stored and the row goes there at once;
* the bot was removed / the chat is gone / nothing is bound — an outage: rows stay pending
  (probed with backoff), each admin is told once; the first success ends it and the
  backlog follows (a my_chat_member "added back" or /bind makes the backlog due at once);
* any other refusal (400) — the row fails, admins are told, the lane moves on.

A row is marked sent in the transaction that records where its message went, so a restart
continues where the previous process stopped; only a kill between Telegram's answer and
that commit posts the row again (see bot/db/outbox.py).
"""

from __future__ import annotations

import asyncio
import logging
import math

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)

from bot.background import BackgroundLoop
from bot.binding import GroupBinding, GroupTarget
from bot.clock import Clock
from bot.config import Settings
from bot.content import Content
from bot.db.outbox import OutboxRow
from bot.db.repos import Repositories
from bot.domain import OutboxKind
from bot.outbox.deliveries import Deliveries
from bot.outbox.rate_limit import SlidingWindow
from bot.outbox.threads import ThreadUnavailable
from bot.outbox.views import GroupViews
from bot.telegram_retry import PASSING, REFUSED, direct_calls

log = logging.getLogger(__name__)

RATE_PERIOD = 60.0
PRIVATE_PERIOD = 1.0
MAX_UNEXPECTED_ATTEMPTS = 8
THREAD_GONE = ("thread not found", "topic_closed", "topic_deleted", "topic_id_invalid")
# Kinds whose payload holds what a person wrote: blanked however the row ends.
RELAYED = frozenset({OutboxKind.relay_to_group, OutboxKind.relay_to_owner, OutboxKind.relay_edit})
OUTAGE_MARKERS = {
    "chat not found": "not_found",
    "not enough rights": "no_rights",
    "have no rights": "no_rights",
    "chat_write_forbidden": "no_rights",
    "not a member": "kicked",
    "kicked": "kicked",
}


class OutboxSender(BackgroundLoop):
    name = "outbox-sender"

    def __init__(
        self,
        bot: Bot,
        repo: Repositories,
        content: Content,
        settings: Settings,
        *,
        views: GroupViews,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self.bot, self.repo, self.content, self.settings = bot, repo, content, settings
        self.error_pause = settings.outbox_poll_seconds
        self.binding = GroupBinding(settings, repo.kv)
        self.window = SlidingWindow(settings.group_messages_per_minute, RATE_PERIOD)
        # One message a second to a private chat (an owner's relay, an admin's alerts).
        self.pace = SlidingWindow(1, PRIVATE_PERIOD)
        self.views = views
        self.deliveries = Deliveries(bot, repo, content, settings, views, self._throttle)

    # -- the loop (bot/background.py) -----------------------------------------------------

    async def setup(self) -> None:
        await self._seed_window()

    async def turn(self) -> float:
        """Deliver what is due; look again when the next row is due, or after a poll."""
        next_due = await self.deliver_due()
        return min(next_due, self.clock.now() + self.settings.outbox_poll_seconds)

    async def _seed_window(self) -> None:
        """Posts of the last minute before a restart still count against the limit."""
        try:
            target = await self.binding.target()
            if target is not None:
                since = self.clock.now() - RATE_PERIOD
                self.window.seed(target.chat_id, await self.repo.outbox.group_sent_since(since))
        except Exception:  # an empty window is a safe start
            log.exception("rate window not seeded")

    # -- one pass -------------------------------------------------------------------------

    async def deliver_due(self) -> float:
        """Deliver every lane's due head until nothing more is due; return when to look again."""
        while True:
            now = self.clock.now()
            next_due = math.inf
            progressed = False
            for row in await self.repo.outbox.heads():
                if self._stopping.is_set():
                    return now
                if row.next_attempt_at > now:
                    next_due = min(next_due, row.next_attempt_at)
                    continue
                target = None
                if not row.to_group and row.chat_id is not None:
                    wait = self.pace.delay(row.chat_id, self.clock.now())
                    if wait > 0:
                        next_due = min(next_due, self.clock.now() + wait)
                        continue
                if row.to_group:
                    target = await self.binding.target()
                    if target is None:
                        await self._outage(row, "unbound", "no consultants' group is bound")
                        continue
                    wait = self.window.delay(target.chat_id, self.clock.now())
                    if wait > 0:
                        next_due = min(next_due, self.clock.now() + wait)
                        continue
                progressed |= await self._deliver(row, target)
            if not progressed:
                return next_due

    async def _deliver(self, row: OutboxRow, target: GroupTarget | None) -> bool:
        """Try one row; True when its lane may go on at once."""
        handler = self.deliveries.by_kind.get(row.kind)
        if handler is None:
            log.error("outbox row %d: unknown kind %r", row.id, row.kind)
            await self.repo.outbox.fail(row.id, f"unknown kind {row.kind!r}")
            return True
        try:
            with direct_calls():
                done = await handler(row, target)
        except ThreadUnavailable as error:  # the lead's topic, even made again: no loop
            await self._give_up(row, error)
            return True
        except TelegramMigrateToChat as error:
            if target is not None and await self.binding.migrate(
                target.chat_id, error.migrate_to_chat_id
            ):
                await self._group_moved(error.migrate_to_chat_id)
                return True
            await self._retry(row, error)
            return False
        except TelegramRetryAfter as error:
            log.warning("outbox row %d: throttled for %ds", row.id, error.retry_after)
            await self.repo.outbox.retry_at(
                row.id, self.clock.now() + error.retry_after, _describe(error)
            )
            return False
        except PASSING as error:
            await self._retry(row, error)
            return False
        except REFUSED as error:
            return await self._refused(row, target, error)
        except Exception as error:  # a bug must not stop the other rows
            log.exception("outbox row %d (%s) failed unexpectedly", row.id, row.kind)
            if row.attempts + 1 >= MAX_UNEXPECTED_ATTEMPTS:
                await self._give_up(row, error)
                return True
            await self._retry(row, error)
            return False
        await self.repo.outbox.complete(
            row.id, self.clock.now(), card=done.card, messages=done.messages, forget=done.forget,
            relayed=done.relayed, follow=done.follow, keep_payload=done.keep_payload,
        )
        if row.to_group:
            await self._group_reachable()
        log.info("outbox row %d (%s) delivered", row.id, row.kind)
        return True

    async def _refused(
        self, row: OutboxRow, target: GroupTarget | None, error: TelegramAPIError
    ) -> bool:
        description = error.message.lower()
        if (
            target is not None and target.thread_id is not None
            and any(marker in description for marker in THREAD_GONE)
        ):
            await self.binding.drop_thread()
            return True
        if target is not None:
            reason = next(
                (code for marker, code in OUTAGE_MARKERS.items() if marker in description), None
            )
            if reason is None and isinstance(error, TelegramForbiddenError):
                reason = "kicked"
            if reason is not None:
                await self._outage(row, reason, _describe(error))
                return False
        await self._give_up(row, error)
        return True

    async def _give_up(self, row: OutboxRow, error: BaseException) -> None:
        # A person's message that cannot reach the other side (an owner who blocked the bot)
        # is an everyday outcome, told in the thread; anything else is an error.
        log.log(
            logging.WARNING if row.kind in RELAYED else logging.ERROR,
            "outbox row %d (%s) given up: %s", row.id, row.kind, _describe(error),
        )
        await self.repo.outbox.fail(
            row.id, _describe(error), self.deliveries.after_failure(row, error),
            keep_payload=row.kind not in RELAYED,
        )
        if row.to_group and row.lead_id is not None:
            # Keyed by the row's dedup key, unique forever; row ids of deleted rows recur.
            await self.repo.outbox.alert_admins(
                self.settings.admin_ids, "delivery_failed", row.dedup_key, lead_id=row.lead_id
            )

    async def _retry(self, row: OutboxRow, error: BaseException) -> None:
        delay = min(
            self.settings.outbox_retry_base_seconds * 2**row.attempts,
            self.settings.outbox_retry_max_seconds,
        )
        log.warning(
            "outbox row %d (%s): %s; retry in %.1fs", row.id, row.kind, _describe(error), delay
        )
        await self.repo.outbox.retry_at(row.id, self.clock.now() + delay, _describe(error))

    async def _outage(self, row: OutboxRow, reason: str, error: str) -> None:
        now = self.clock.now()
        if await self.repo.outbox.begin_outage(now, self.settings.admin_ids, reason):
            log.error("consultants' group unreachable (%s): %s; leads stay pending", reason, error)
        delay = min(
            self.settings.outbox_retry_base_seconds * 2**row.attempts,
            self.settings.outbox_outage_probe_seconds,
        )
        await self.repo.outbox.retry_at(row.id, now + delay, error)

    async def _group_reachable(self) -> None:
        if await self.repo.outbox.outage_since() is not None:
            if await self.repo.outbox.end_outage(self.settings.admin_ids):
                log.warning("consultants' group reachable again; posting the backlog")

    async def _group_moved(self, chat_id: int) -> None:
        try:
            with direct_calls():
                await self.bot(self.views.menu(chat_id))
        except TelegramAPIError as error:
            log.warning("group menu not set after migration: %s", error)

    async def _throttle(self, chat_id: int) -> None:
        """Wait for room, then take it: in the group's window (a group, negative ids) or in
        a private chat's one-a-second pace (every message the outbox posts)."""
        window = self.window if chat_id < 0 else self.pace
        while (wait := window.delay(chat_id, self.clock.now())) > 0:
            await self.clock.sleep_until(self.clock.now() + wait, self._stopping)
            if self._stopping.is_set():
                raise asyncio.CancelledError
        window.record(chat_id, self.clock.now())


def _describe(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {message}"
