"""Record a conversation once, play it again on a `Machine` that crashes and restarts.

`record()` walks a story on a fresh machine that never dies and keeps every action the
person took, what the bot showed them and the lead it stored. A `Replay` plays recorded
conversations (each moved to its own user id) against a fresh emulator and database in
whatever order, with whatever duplicates and crashes a test asks for, restarting the
machine whenever it died, and reports what came out. Per chat, the bot's answers depend
only on that chat's earlier updates, so the message ids the recorded button presses refer
to are the same in the replay as long as the bot says the same things — which is exactly
what the tests demand.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.app import create_bot
from bot.config import Settings, load_settings
from bot.db import Database
from bot.db.repos import Repositories
from bot.emulator.world import BotWorld, Emulator
from bot.group.views.for_outbox import ConsultantViews
from bot.outbox import OutboxSender
from tests.cards import is_card_of
from tests.databases import place_fresh_database
from tests.kit.session import EmulatorSession
from tests.reliability.machine import LiveWorld, Machine, transcript
from tests.reliability.stories import CONTENT, Step, lead_fields, walk

TOKEN = "123456789:TEST-token-for-the-in-process-bot_0123"
FIRST_USER = 7_000_000_001

Shown = list[tuple[str, tuple[tuple[str, ...], ...]]]


def settings_for(db_path: Path, **fields: Any) -> Settings:
    return load_settings(None, bot_token=TOKEN, database_path=db_path, **fields)


class Staff:
    """An emulated Telegram for the bot, with its consultant Анна and its admin Ада; a
    subclass builds the `machine` with the settings its tests need."""

    machine: Machine

    def __init__(self) -> None:
        self.emulator = Emulator()
        self.telegram: BotWorld = self.emulator.world(TOKEN)
        self.consultant = self.telegram.add_user(
            first_name="Анна", last_name="Консультант", started=True
        )
        self.admin = self.telegram.add_user(first_name="Ада", started=True)

    @property
    def repo(self) -> Any:
        """The repositories of the machine's running generation."""
        generation = self.machine.generation
        assert generation is not None and generation.repo is not None
        return generation.repo

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Machine]:
        """The machine booted for the block and halted after it, whatever happened."""
        await self.machine.boot()
        try:
            yield self.machine
        finally:
            await self.machine.halt()


@dataclass(frozen=True)
class Chat:
    """A recorded conversation: the person, their actions, what they saw, their lead."""

    user: dict[str, Any]
    actions: tuple[tuple[str, dict[str, Any]], ...]
    shown: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    lead: dict[str, Any] | None
    notifications: tuple[str, ...]  # outbox kinds this conversation enqueued
    operations: int = 0  # writes and Bot API calls it took

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def moved_to(self, user_id: int) -> Chat:
        """The same conversation by another user (in their own private chat)."""
        old = self.id

        def move(fields: dict[str, Any]) -> dict[str, Any]:
            moved = dict(fields)
            for key in ("user_id", "chat_id", "contact_user_id"):
                if moved.get(key) == old:
                    moved[key] = user_id
            return moved

        return replace(
            self,
            user={**self.user, "id": user_id},
            actions=tuple((action, move(fields)) for action, fields in self.actions),
        )


@dataclass
class Outcome:
    """What a run left behind, per chat and in the database."""

    shown: dict[int, Shown]
    leads: dict[int, dict[str, Any]]
    lead_ids: dict[int, int]
    inbox: dict[str, int]
    outbox: list[tuple[str, int | None, int | None]]
    cards: dict[int, int] = field(default_factory=dict)  # lead id -> cards in the group
    crashes: int = 0
    updates: int = 0
    operations: int = 0


async def outcome_of(db_path: Path, chats: Sequence[int], world: BotWorld) -> Outcome:
    db = await Database(db_path).connect()
    try:
        repo = Repositories.create(db)
        leads, lead_ids = {}, {}
        for chat_id in chats:
            row = await repo.leads.for_user(chat_id)
            if row is not None:
                leads[chat_id] = lead_fields(row)
                lead_ids[chat_id] = row.id
        inbox = {r[0]: r[1] for r in await db.fetchall(
            "SELECT status, count(*) FROM inbox GROUP BY status")}
        outbox = [(r[0], r[1], r[2]) for r in await db.fetchall(
            "SELECT kind, lead_id, chat_id FROM outbox ORDER BY id")]
        all_leads = await db.fetchval("SELECT count(*) FROM leads")
        assert all_leads == len(leads), f"{all_leads} lead rows for {len(leads)} owners"
    finally:
        await db.close()
    shown = {chat_id: transcript(world, chat_id) for chat_id in chats}
    return Outcome(shown, leads, lead_ids, inbox, outbox)


_RECORDED: dict[tuple[str, str], Chat] = {}


async def record(name: str, steps: list[Step], *, key: str | None = None) -> Chat:
    """Walk `steps` as a new person called `name` on a machine that never dies (cached by
    `key` when given: the same story is recorded once per test session)."""
    if key is not None and (name, key) in _RECORDED:
        return _RECORDED[name, key]
    folder = Path(tempfile.mkdtemp(prefix="reliability-"))
    await place_fresh_database(folder / "bot.sqlite3")
    machine = Machine(folder / "bot.sqlite3", settings_for(folder / "bot.sqlite3"),
                      CONTENT, Emulator())
    await machine.boot()
    people = LiveWorld(machine)
    try:
        person = await people.user(name, user_id=FIRST_USER)
        await walk(person, steps)
        await machine.settle()
    finally:
        await machine.halt()
    result = await outcome_of(folder / "bot.sqlite3", [person.id], machine.telegram)
    assert set(result.inbox) == {"done"}, result.inbox
    chat = Chat(
        user=person.user,
        actions=tuple(people.actions[person.id]),
        shown=tuple(result.shown[person.id]),
        lead=result.leads.get(person.id),
        notifications=tuple(kind for kind, _, _ in result.outbox),
        operations=machine.operations,
    )
    if key is not None:
        _RECORDED[name, key] = chat
    return chat


class Replay:
    """A fresh machine playing recorded conversations; the test decides the order
    (`act`), duplicates (`duplicate`) and crashes (`start`, `settle`)."""

    def __init__(self, chats: Sequence[Chat], *, with_group: bool = False) -> None:
        self.chats = {chat.id: chat for chat in chats}
        self.folder = Path(tempfile.mkdtemp(prefix="reliability-"))
        self.emulator = Emulator()
        telegram = self.emulator.world(TOKEN)
        fields: dict[str, Any] = {}
        self.group_id: int | None = None
        if with_group:
            consultant = telegram.add_user(first_name="Консультант", started=True)
            self.group_id = telegram.add_group(
                title="Консультанты", type="supergroup", members=[consultant.id]
            ).id
            fields["consultants_chat_id"] = self.group_id
        self.settings = settings_for(self.folder / "bot.sqlite3", **fields)
        self.machine = Machine(self.folder / "bot.sqlite3", self.settings, CONTENT, self.emulator)
        for chat in chats:
            user = chat.user
            telegram.add_user(
                user_id=user["id"], first_name=user["first_name"],
                last_name=user.get("last_name"), username=user.get("username"),
                language_code=user.get("language_code"),
            )
        self.delivered: list[dict[str, Any]] = []
        self.updates = 0

    async def start(self, crash_at: int | None = None) -> None:
        await place_fresh_database(self.folder / "bot.sqlite3")
        await self.machine.boot(crash_at)

    def act(self, chat_id: int, index: int) -> None:
        """The person in `chat_id` takes their recorded action number `index`."""
        action, fields = self.chats[chat_id].actions[index]
        receipt = getattr(self.machine.telegram, action)(**fields)
        if receipt.update is not None:
            self.delivered.append(receipt.update)
            self.updates += 1

    def duplicate(self, which: int) -> None:
        """Telegram delivers an update it delivered before once more."""
        self.machine.telegram.inject_update(dict(self.delivered[which % len(self.delivered)]))
        self.updates += 1

    def doom(self, after: int | None) -> None:
        """The running generation dies `after` operations from now (if it gets that far
        while it runs; a generation already doomed keeps its first fate)."""
        generation = self.machine.generation
        if after is None or generation is None or generation.fate.crash_at is not None:
            return
        generation.fate.crash_at = generation.fate.ops + after

    async def settle(self, crash_after_restart: int | None = None) -> None:
        """Let the machine handle everything queued; whenever it died, start it again
        (the first new generation dies before its operation `crash_after_restart`, if
        given — possibly while it replays what the dead one left unfinished)."""
        while not await self.machine.settle():
            await self.machine.restart(crash_after_restart)
            crash_after_restart = None

    async def abort(self) -> None:
        """Stop whatever runs (after a failed test), so no connection outlives the test."""
        generation = self.machine.generation
        if generation is not None:
            generation.fate.dead = True  # everything stops at its next operation
            try:
                await self.machine.halt()
            except Exception:
                await generation.db.close()

    async def finish(self) -> Outcome:
        await self.settle()
        await self.machine.halt()
        result = await outcome_of(self.folder / "bot.sqlite3", list(self.chats),
                                  self.machine.telegram)
        result.crashes = self.machine.crashes
        result.updates = self.updates
        result.operations = self.machine.operations
        if self.group_id is not None:
            result.cards = await self._post_cards(result)
        return result

    async def _post_cards(self, result: Outcome) -> dict[int, int]:
        """Run the outbox sender once over what the crashes left, count cards per lead."""
        db = await Database(self.folder / "bot.sqlite3").connect()
        bot = create_bot(self.settings, session=EmulatorSession(self.emulator))
        try:
            repo = Repositories.create(db)
            sender = OutboxSender(bot, repo, CONTENT, self.settings,
                                  views=ConsultantViews(repo, CONTENT, self.settings))
            await sender.deliver_due()
        finally:
            await bot.session.close()
            await db.close()
        assert self.group_id is not None
        posted = [m.text or "" for m in self.machine.telegram.bot_messages(self.group_id)]
        return {lead_id: sum(is_card_of(lead_id, text) for text in posted)
                for lead_id in result.lead_ids.values()}


async def replay_in_order(chats: Sequence[Chat], crash_at: int | None) -> Outcome:
    """Every action in recorded order, chat after chat, each handled before the next; one
    crash before operation `crash_at` of the first generation."""
    run = Replay(chats)
    try:
        await run.start(crash_at)
        for chat in chats:
            for index in range(len(chat.actions)):
                run.act(chat.id, index)
                await run.settle()
        return await run.finish()
    finally:
        await run.abort()


def same_conversation(
    expected: Sequence[Any], actual: Sequence[Any], *, repeats: int = 0
) -> str | None:
    """None when the person saw the same messages; else what differs. Tolerated: a keyboard
    the reference removed may still hang on an answered message after a crash (pressing it
    is answered with an alert), and up to `repeats` messages shown twice in a row — a kill
    between Telegram taking a message and the bot recording it repeats that one message
    (pass the number of crashes)."""
    actual = _without_repeats(expected, actual, repeats)
    if isinstance(actual, str):
        return actual
    if [text for text, _ in expected] != [text for text, _ in actual]:
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            if want[0] != got[0]:
                return f"message {index}: expected {want[0][:100]!r}, got {got[0][:100]!r}"
        return f"{len(expected)} messages expected, {len(actual)} shown"
    for index, ((_, want), (_, got)) in enumerate(zip(expected, actual, strict=True)):
        if want != got and (want or index == len(expected) - 1):
            return f"message {index}: buttons {want} expected, {got} shown"
    return None


def _without_repeats(
    expected: Sequence[Any], actual: Sequence[Any], allowed: int
) -> Sequence[Any] | str:
    """`actual` with messages that repeat the one before them dropped where `expected` has
    no such repeat; a string when more than `allowed` had to be dropped."""
    kept: list[Any] = []
    dropped = 0
    for message in actual:
        position = len(kept)
        repeat = bool(kept) and message[0] == kept[-1][0]
        expected_here = position < len(expected) and expected[position][0] == message[0]
        if repeat and not expected_here:
            dropped += 1
            continue
        kept.append(message)
    if dropped > allowed:
        return f"{dropped} messages shown twice, at most {allowed} allowed"
    return kept
