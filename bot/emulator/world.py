"""The in-memory Telegram of the emulator: one `BotWorld` per bot token, no HTTP here.

`Emulator` maps tokens (and bot ids) to worlds. A `BotWorld` owns everything one bot can see:
users, chats, messages, the update queue, the global event log with long-poll waiting, the
call log, commands, webhook settings and planned faults. Chat and membership control lives in
`membership.MembershipMixin`, users' actions (updates) in `injection.InjectionMixin`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import mimetypes
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.enrichment import ResponseEnrichment
from bot.emulator.errors import ApiError, ControlError, unauthorized
from bot.emulator.faults import Fault, FaultQueue
from bot.emulator.injection import InjectionMixin
from bot.emulator.limits import Clock, RateLimiter, RateLimits
from bot.emulator.membership import MembershipMixin
from bot.emulator.models import (
    CallbackQueryRecord,
    ChatRecord,
    Event,
    InlineQueryRecord,
    RecordedCall,
    StoredFile,
    StoredMessage,
    UserRecord,
)
from bot.emulator.signals import Signal
from bot.emulator.topics import TopicsMixin

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# Telegram's default when allowed_updates was never given (or given as []).
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_FILE_FOLDERS = {
    "document": "documents",
    "photo": "photos",
    "video": "videos",
    "voice": "voice",
    "audio": "music",
    "sticker": "stickers",
    "animation": "animations",
    "video_note": "video_notes",
}


@dataclass(slots=True)
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0

    def to_telegram(self, pending: int, allowed: frozenset[str] | None) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        if self.url:
            info["max_connections"] = self.max_connections
            if self.ip_address:
                info["ip_address"] = self.ip_address
        if allowed is not None:  # the Bot API writes them whenever they differ from the default
            info["allowed_updates"] = sorted(allowed)
        return info


@dataclass(slots=True, eq=False)
class QueuedUpdate:
    update_id: int
    payload: dict[str, Any]
    delivered: bool = False


@dataclass(slots=True, eq=False)
class PollTicket:
    """One in-flight getUpdates; a newer one terminates it with 409."""

    terminated: bool = False


@dataclass(slots=True)
class BotProfile:
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    default_menu_button: dict[str, Any] = field(default_factory=lambda: {"type": "commands"})
    admin_rights: dict[bool, dict[str, Any]] = field(default_factory=dict)


class BotWorld(MembershipMixin, InjectionMixin, TopicsMixin):
    """Everything one bot sees. Synchronous except for the long-poll helpers."""

    def __init__(
        self,
        bot_id: int,
        token: str | None = None,
        *,
        username: str | None = None,
        first_name: str | None = None,
        record_limit: int = 100_000,
        privacy_mode: bool = True,
        response_enrichment: ResponseEnrichment | None = None,
        rate_limits: RateLimits | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.bot_id = bot_id
        # Off by default: answers with extra valid fields (enrichment.py), Telegram's flood
        # limits (limits.py) on a clock tests can step.
        self.response_enrichment = response_enrichment
        self.clock = clock
        self.rate_limiter = RateLimiter(rate_limits, clock) if rate_limits else None
        self.token = token
        self.username = username or f"bot{bot_id}_bot"
        self.first_name = first_name or "Test Bot"
        self.record_limit = record_limit
        # Group privacy mode (Telegram's default): in groups where the bot is no admin it
        # only gets commands, replies to its messages and mentions.
        self.privacy_mode = privacy_mode
        self.webhook_delivery: Any = None  # set by bot.emulator.webhook while a webhook is set
        self._interrupts = 0  # bumped to end every long poll in progress
        self.event_waiters = 0  # wait_events() calls waiting now (the control API's long polls)
        self._seq = 0
        self._next_update_id = 1
        self._serial = 0
        self._updates_signal = Signal()
        self._events_signal = Signal()
        self._clear_state()

    def _clear_state(self) -> None:
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.chats_by_username: dict[str, ChatRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.inline_queries: dict[str, InlineQueryRecord] = {}
        self.allowed_updates: frozenset[str] | None = None
        self.webhook = WebhookState()
        self.faults = FaultQueue()
        self.profile = BotProfile()
        self.bot_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._updates: deque[QueuedUpdate] = deque()
        self._events: list[Event] = []
        self._events_first_seq = self._seq + 1
        self._calls: deque[RecordedCall] = deque(maxlen=self.record_limit)
        self.call_totals: Counter[str] = Counter()  # every call by method, never trimmed
        self._poll: PollTicket | None = None

    def reset(self) -> None:
        """Forget all state; update ids and event seqs keep increasing."""
        delivery = self.webhook_delivery
        if delivery is not None:
            delivery.stop()
        self.webhook_delivery = None
        self._clear_state()
        self.interrupt_waiters()  # a running getUpdates answers [] (no 409 for a reset)

    # -- identity ---------------------------------------------------------------------------

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def info(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "username": self.username,
            "first_name": self.first_name,
            "registered": self.token is not None,
            "privacy_mode": self.privacy_mode,
            "rate_limits": self.rate_limiter is not None,
            "response_enrichment": self.response_enrichment is not None,
            "last_seq": self._seq,
            "pending_updates": len(self._updates),
            "webhook": self.webhook_info(),
        }

    # -- events -----------------------------------------------------------------------------

    def emit(
        self,
        kind: str,
        chat_id: int | None,
        message: StoredMessage | None = None,
        data: dict[str, Any] | None = None,
    ) -> Event:
        self._seq += 1
        event = Event(self._seq, kind, chat_id, time.time(), message, data)
        events = self._events
        events.append(event)
        if len(events) > self.record_limit:
            drop = len(events) // 2
            del events[:drop]
            self._events_first_seq += drop
        self._events_signal.fire()
        return event

    @property
    def last_seq(self) -> int:
        return self._seq

    def events(self, after_seq: int = 0, chat_id: int | None = None) -> list[Event]:
        start = max(after_seq + 1 - self._events_first_seq, 0)
        found = self._events[start:]
        if chat_id is not None:
            found = [event for event in found if event.chat_id == chat_id]
        return found

    async def wait_events(
        self,
        after_seq: int,
        timeout: float,  # noqa: ASYNC109 - a long poll that answers [] on timeout
        chat_id: int | None = None,
    ) -> list[Event]:
        """Events after `after_seq` (optionally of one chat); waits up to `timeout` seconds
        for the first one and returns as soon as there is any."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        scan_from = after_seq
        interrupts = self._interrupts
        while True:
            found = self.events(scan_from, chat_id)
            if found or self._interrupts != interrupts:
                return found
            scan_from = max(scan_from, self._seq)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self.event_waiters += 1
            try:
                await self._events_signal.wait(remaining)
            finally:
                self.event_waiters -= 1

    # -- update queue -----------------------------------------------------------------------

    def accepts(self, update_type: str) -> bool:
        allowed = self.allowed_updates
        if allowed is None:
            return update_type not in NOT_DELIVERED_BY_DEFAULT
        return update_type in allowed

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        self.allowed_updates = frozenset(allowed) if allowed else None

    def enqueue(self, payload: dict[str, Any], *, force: bool = False) -> dict[str, Any] | None:
        """Queue an update (assigning update_id unless present); None if the bot's
        allowed_updates filter drops it."""
        update_type = next((key for key in payload if key != "update_id"), None)
        if not force and (update_type is None or not self.accepts(update_type)):
            return None
        if "update_id" in payload:
            update = payload
            update_id = int(payload["update_id"])
            self._next_update_id = max(self._next_update_id, update_id + 1)
        else:
            update_id = self._next_update_id
            self._next_update_id += 1
            update = {"update_id": update_id, **payload}
        self._updates.append(QueuedUpdate(update_id, update))
        self._updates_signal.fire()
        return update

    def pending_updates(self) -> list[dict[str, Any]]:
        return [entry.payload for entry in self._updates]

    @property
    def pending_update_count(self) -> int:
        return len(self._updates)

    def confirm_updates(self, offset: int) -> None:
        """getUpdates offset: forget delivered updates with update_id < offset.
        A negative offset keeps only the last -offset updates."""
        queue = self._updates
        if offset < 0:
            while len(queue) > -offset:
                queue.popleft()
            return
        while queue and queue[0].delivered and queue[0].update_id < offset:
            queue.popleft()

    def peek_updates(self, limit: int) -> list[dict[str, Any]]:
        """The first `limit` queued updates, marked delivered (not yet confirmed)."""
        batch = []
        for entry in self._updates:
            if len(batch) >= limit:
                break
            entry.delivered = True
            batch.append(entry.payload)
        return batch

    def first_update(self) -> QueuedUpdate | None:
        return self._updates[0] if self._updates else None

    def drop_update(self, entry: QueuedUpdate) -> None:
        if self._updates and self._updates[0] is entry:
            self._updates.popleft()

    def take_all_updates(self) -> list[dict[str, Any]]:
        """Remove and return every queued update (the in-process transport consumes them)."""
        taken = [entry.payload for entry in self._updates]
        self._updates.clear()
        return taken

    def drop_pending_updates(self) -> None:
        self._updates.clear()

    async def wait_for_updates(self, seconds: float) -> bool:
        if self._updates:
            return True
        await self._updates_signal.wait(seconds)
        return bool(self._updates)

    def begin_poll(self) -> PollTicket:
        self.terminate_poll()
        ticket = self._poll = PollTicket()
        return ticket

    def terminate_poll(self) -> None:
        """The running getUpdates (if any) ends with 409 Conflict."""
        if self._poll is not None:
            self._poll.terminated = True
            self._poll = None
            self._updates_signal.fire()

    def end_poll(self, ticket: PollTicket) -> None:
        if self._poll is ticket:
            self._poll = None

    @property
    def long_polling(self) -> bool:
        """A getUpdates call is in progress (waiting for updates unless it is answering)."""
        return self._poll is not None

    def interrupt_waiters(self) -> None:
        """Make every long poll in progress (getUpdates, wait_events) answer now, e.g. on
        server shutdown. Later polls wait normally."""
        self._interrupts += 1
        self._updates_signal.fire()
        self._events_signal.fire()

    @property
    def interrupts(self) -> int:
        return self._interrupts

    # -- webhook ----------------------------------------------------------------------------

    def webhook_info(self) -> dict[str, Any]:
        return self.webhook.to_telegram(len(self._updates), self.allowed_updates)

    # -- faults -----------------------------------------------------------------------------

    def inject_fault(
        self,
        method: str,
        kind: str,
        count: int = 1,
        retry_after: int | None = None,
        chat_id: int | None = None,
        applied: bool = False,
        hang_seconds: float = 120.0,
    ) -> Fault:
        """Make the next `count` calls of `method` ("*" for any) fail with `kind`
        (see `faults.FAULT_KINDS`); `applied=True` lets the call take effect first."""
        return self.faults.add(Fault(
            method.lower(), kind, count, retry_after, chat_id, applied, max(hang_seconds, 0.0)
        ))

    # -- call log ---------------------------------------------------------------------------

    def record_call(self, method: str, params: dict[str, Any]) -> RecordedCall:
        call = RecordedCall(method, params, time.time())
        self._calls.append(call)
        self.call_totals[method] += 1
        return call

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        if method is None:
            return list(self._calls)
        wanted = method.lower()
        return [call for call in self._calls if call.method.lower() == wanted]

    # -- messages and files -----------------------------------------------------------------

    def post_message(
        self,
        chat: ChatRecord,
        *,
        sender: dict[str, Any],
        from_bot: bool,
        kind: str = "text",
        **fields: Any,
    ) -> StoredMessage:
        message = StoredMessage(
            chat.next_message_id, chat, sender, from_bot, int(time.time()), kind, **fields
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        self.emit("message", chat.id, message)
        return message

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        chat = self.chats.get(chat_id)
        return chat.messages.get(message_id) if chat is not None else None

    def messages(self, chat_id: int, include_deleted: bool = False) -> list[StoredMessage]:
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        found = list(chat.messages.values())
        return found if include_deleted else [m for m in found if not m.deleted]

    def bot_messages(self, chat_id: int, include_deleted: bool = False) -> list[StoredMessage]:
        return [m for m in self.messages(chat_id, include_deleted) if m.from_bot]

    def add_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        serial = self.next_serial()
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        extension = mimetypes.guess_extension(mime_type or "") or ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        path = f"{_FILE_FOLDERS.get(kind, 'files')}/file_{serial}{extension}"
        stored = StoredFile(
            file_id=f"EMU{kind[:3].upper()}{self.bot_id}x{serial:06d}",
            file_unique_id=f"EU{serial:08d}",
            file_path=path,
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[path] = stored
        return stored

    # -- queries, commands ------------------------------------------------------------------

    def callback_answers(self, query_id: str | None = None) -> list[CallbackQueryRecord]:
        if query_id is not None:
            record = self.callback_queries.get(query_id)
            return [record] if record is not None else []
        return [record for record in self.callback_queries.values() if record.answered]

    def inline_answers(self, query_id: str | None = None) -> list[InlineQueryRecord]:
        if query_id is not None:
            record = self.inline_queries.get(query_id)
            return [record] if record is not None else []
        return [record for record in self.inline_queries.values() if record.answered]

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return list(self.bot_commands.get((scope_key(scope), language_code or ""), []))


def scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True, ensure_ascii=False)


class Emulator:
    """All bots of one emulated Telegram. Bots are created on first use of their token."""

    def __init__(
        self,
        *,
        usernames: dict[str, str] | None = None,
        first_names: dict[str, str] | None = None,
        record_limit: int = 100_000,
        privacy_mode: bool = True,
        response_enrichment: ResponseEnrichment | bool | None = None,
        rate_limits: RateLimits | bool | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        """`response_enrichment`: answers carry extra valid fields (True: the defaults, seed 0;
        every bot's world gets its own sampler). `rate_limits`: Telegram's flood limits
        (True: Telegram's figures). `clock`: the time those limits are measured on."""
        if response_enrichment is True:
            response_enrichment = ResponseEnrichment()
        if rate_limits is True:
            rate_limits = RateLimits()
        self._enrichment = response_enrichment or None
        self._rate_limits = rate_limits or None
        self._clock = clock
        self._usernames = dict(usernames or {})
        self._first_names = dict(first_names or {})
        self._record_limit = record_limit
        self._privacy_mode = privacy_mode
        self._worlds: dict[int, BotWorld] = {}

    @property
    def worlds(self) -> list[BotWorld]:
        return list(self._worlds.values())

    def world(self, token: str) -> BotWorld:
        """The world of a token; ApiError 401 when the token is malformed or revoked."""
        if not TOKEN_RE.match(token):
            raise unauthorized()
        bot_id = int(token.split(":", 1)[0])
        world = self._worlds.get(bot_id)
        if world is None:
            world = self._worlds[bot_id] = self._new_world(bot_id, token)
        elif world.token is None:
            world.token = token
            self._apply_names(world, token)
        elif world.token != token:
            raise unauthorized()
        return world

    def register(
        self, token: str, *, username: str | None = None, first_name: str | None = None
    ) -> BotWorld:
        try:
            world = self.world(token)
        except ApiError:
            raise ControlError("malformed or conflicting bot token") from None
        if username:
            world.username = username
        if first_name:
            world.first_name = first_name
        return world

    def world_by_id(self, bot_id: int) -> BotWorld:
        """The world of a bot id, created (without token) when the bot never called yet."""
        world = self._worlds.get(bot_id)
        if world is None:
            world = self._worlds[bot_id] = self._new_world(bot_id, None)
        return world

    def interrupt_waiters(self) -> None:
        for world in self._worlds.values():
            world.interrupt_waiters()

    async def __aenter__(self) -> Emulator:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop background webhook deliveries and wake all waiters."""
        self.interrupt_waiters()
        for world in self._worlds.values():
            delivery = world.webhook_delivery
            if delivery is not None:
                await delivery.aclose()
            world.webhook_delivery = None

    def _new_world(self, bot_id: int, token: str | None) -> BotWorld:
        enrichment = self._enrichment
        if enrichment is not None:  # one sampler per world: worlds do not share randomness
            enrichment = dataclasses.replace(enrichment, seed=enrichment.seed + bot_id)
        world = BotWorld(
            bot_id,
            token,
            record_limit=self._record_limit,
            privacy_mode=self._privacy_mode,
            response_enrichment=enrichment,
            rate_limits=self._rate_limits,
            clock=self._clock,
        )
        if token is not None:
            self._apply_names(world, token)
        return world

    def _apply_names(self, world: BotWorld, token: str) -> None:
        if token in self._usernames:
            world.username = self._usernames[token]
        if token in self._first_names:
            world.first_name = self._first_names[token]
