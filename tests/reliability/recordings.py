"""Record conversations once, play them again on a `Machine` that crashes and restarts.

`record()` walks the stories on a fresh machine (no crash) and keeps, per chat, every
action the people took and what the bot showed. `replay()` plays the same actions against
a fresh emulator and database, delivering them in a given order (with duplicates and
crashes if asked), restarting the machine whenever it died, and returns what came out.
Per chat, the bot's answers depend only on that chat's earlier updates, so the message ids
the recorded button presses refer to are the same in the replay as long as the bot says
the same things — which is exactly what the tests demand.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings, load_settings
from bot.db import Database
from bot.db.repos import Repositories
from bot.emulator.world import Emulator
from tests.reliability.machine import LiveWorld, Machine, transcript
from tests.reliability.stories import CONTENT, Step, lead_fields, walk

TOKEN = "123456789:TEST-token-for-the-in-process-bot_0123"

Shown = list[tuple[str, tuple[tuple[str, ...], ...]]]


def settings_for(db_path: Path, **fields: Any) -> Settings:
    return load_settings(None, bot_token=TOKEN, database_path=db_path, **fields)


@dataclass
class Chat:
    user: dict[str, Any]
    actions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    shown: Shown = field(default_factory=list)


@dataclass
class Outcome:
    """What a run left behind, per chat and in the database."""

    shown: dict[int, Shown]
    leads: dict[int, dict[str, Any]]
    lead_ids: dict[int, int]
    inbox: dict[str, int]
    outbox: list[tuple[str, int | None, int | None]]
    crashes: int = 0
    updates: int = 0
    operations: int = 0


async def outcome_of(db_path: Path, chats: Sequence[int], world: Any) -> Outcome:
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


async def record(stories: Sequence[tuple[str, list[Step]]]) -> tuple[dict[int, Chat], Outcome]:
    """Walk each story in its own chat, one after another, on a machine that never dies."""
    folder = Path(tempfile.mkdtemp(prefix="reliability-"))
    machine = Machine(folder / "bot.sqlite3", settings_for(folder / "bot.sqlite3"),
                      CONTENT, Emulator())
    await machine.boot()
    people = LiveWorld(machine)
    chats: dict[int, Chat] = {}
    try:
        for name, steps in stories:
            person = await people.user(name)
            await walk(person, steps)
            chats[person.id] = Chat(person.user)
        await machine.settle()
    finally:
        await machine.halt()
    for chat_id, chat in chats.items():
        chat.actions = people.actions[chat_id]
    result = await outcome_of(folder / "bot.sqlite3", list(chats), machine.telegram)
    for chat_id, chat in chats.items():
        chat.shown = result.shown[chat_id]
    return chats, result


Plan = Callable[["Replay"], Any]


class Replay:
    """A fresh machine playing recorded actions; the plan decides order, duplicates and
    crashes through `act`, `duplicate`, `crash_at` and `settle`."""

    def __init__(self, chats: dict[int, Chat]) -> None:
        self.chats = chats
        self.folder = Path(tempfile.mkdtemp(prefix="reliability-"))
        self.machine = Machine(
            self.folder / "bot.sqlite3", settings_for(self.folder / "bot.sqlite3"),
            CONTENT, Emulator(),
        )
        for chat in chats.values():
            user = chat.user
            self.machine.telegram.add_user(
                user_id=user["id"], first_name=user["first_name"],
                last_name=user.get("last_name"), username=user.get("username"),
                language_code=user.get("language_code"),
            )
        self.delivered: list[dict[str, Any]] = []
        self.next_crash: int | None = None
        self.updates = 0

    async def start(self, crash_at: int | None = None) -> None:
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

    async def settle(self, crash_after_restart: int | None = None) -> None:
        """Let the machine handle everything queued; whenever it died, start it again
        (the next generation dies before its operation `crash_after_restart`, if given)."""
        while not await self.machine.settle():
            await self.machine.restart(crash_after_restart)
            crash_after_restart = None

    async def finish(self) -> Outcome:
        await self.settle()
        await self.machine.halt()
        result = await outcome_of(self.folder / "bot.sqlite3", list(self.chats),
                                  self.machine.telegram)
        result.crashes = self.machine.crashes
        result.updates = self.updates
        result.operations = self.machine.operations
        return result


async def replay_in_order(chats: dict[int, Chat], crash_at: int | None) -> Outcome:
    """Every action in recorded order, chat after chat; one crash before operation
    `crash_at` of the first generation."""
    run = Replay(chats)
    await run.start(crash_at)
    for chat_id, chat in chats.items():
        for index in range(len(chat.actions)):
            run.act(chat_id, index)
            await run.settle()
    return await run.finish()


def same_conversation(expected: Shown, actual: Shown) -> str | None:
    """None when the person saw the same messages; else what differs. A keyboard the
    reference removed may still hang on an answered message after a crash (pressing it is
    answered with an alert) — that is the one tolerated difference."""
    if [text for text, _ in expected] != [text for text, _ in actual]:
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            if want[0] != got[0]:
                return f"message {index}: expected {want[0][:100]!r}, got {got[0][:100]!r}"
        return f"{len(expected)} messages expected, {len(actual)} shown"
    for index, ((_, want), (_, got)) in enumerate(zip(expected, actual, strict=True)):
        if want != got and (want or index == len(expected) - 1):
            return f"message {index}: buttons {want} expected, {got} shown"
    return None


def run_sync(coro: Any) -> Any:
    return asyncio.run(coro)
