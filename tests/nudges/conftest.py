"""Follow-ups in process: the real app on a clock the test moves (a Monday noon in Moscow to
begin with, so that quiet hours never decide a test by the hour it runs at)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import BotApp, create_app, create_bot
from bot.clock import ShiftedClock
from bot.config import Settings, load_settings
from bot.content import Content
from bot.db import Database
from bot.db.nudges import NudgeRow
from bot.db.repos import Repositories
from bot.emulator.world import BotWorld, Emulator
from tests.conftest import TEST_TOKEN
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.kit.session import EmulatorSession

MOSCOW = ZoneInfo("Europe/Moscow")
NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=MOSCOW)  # a Monday
HOUR = 3600.0


def at_local(day: int, hour: int, minute: int = 0) -> float:
    """Unix time of December `day`, 2026, hour:minute in Moscow."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=MOSCOW).timestamp()


@dataclass
class Reminders:
    """The app, its clock and its Telegram: move time, let the sender look, read the rows."""

    app: BotApp
    repo: Repositories
    clock: ShiftedClock
    world: InProcessWorld
    telegram: BotWorld
    people: list[Person] = field(default_factory=list)

    async def owner(self, first_name: str) -> Person:
        """An owner whose expectations, after each `after()`, see only what came since."""
        person = await self.world.user(first_name)
        self.people.append(person)
        return person

    async def after(self, seconds: float) -> None:
        """`seconds` pass; then the sender does what is due."""
        self.clock.advance(seconds)
        await self.deliver()

    async def after_not_sooner(self, seconds: float, owner: Person) -> None:
        """`seconds` pass, and a minute before they had, `owner` had been told nothing."""
        await self.after(seconds - 60)
        await owner.expect_no_reply()
        await self.after(60)

    async def nothing_more(self, owner: Person, seconds: float) -> None:
        """Nothing is pending for `owner`, and nothing comes in the next `seconds`."""
        assert await self.pending(owner.id) == []
        await self.after(seconds)
        await owner.expect_no_reply()

    async def deliver(self) -> None:
        await self.world.settle()
        for person in self.people:  # what the owners see next is what the sender sends
            person._cursor = self.telegram.last_seq
        await self.app.nudges.deliver_due()

    async def pending(self, user_id: int) -> list[NudgeRow]:
        return await self.repo.nudges.pending(user_id)

    async def sent(self, user_id: int) -> list[NudgeRow]:
        return [row for row in await self.repo.nudges.history(user_id) if row.status == "sent"]

    def local(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock.now(), MOSCOW)


MakeReminders = Callable[..., Any]


@pytest.fixture
async def make_reminders(
    db_path: Path, content: Content
) -> AsyncIterator[Callable[..., Any]]:
    """`await make_reminders(**settings)`: the app with these settings (reminders at 1000 a
    second unless said, so that pacing does not slow tests down)."""
    opened: list[tuple[Database, Any]] = []

    async def make(*, emulator: Emulator | None = None, **fields: Any) -> Reminders:
        fields.setdefault("nudges_per_second", 1000)
        settings: Settings = load_settings(
            None, bot_token=TEST_TOKEN, database_path=db_path, **fields
        )
        db = await Database(db_path).connect()
        clock = ShiftedClock()
        clock.set_to(NOON.timestamp())
        repo = Repositories.create(db, clock=clock)
        bot = create_bot(settings, session=EmulatorSession(emulator or Emulator()))
        opened.append((db, bot))
        app = create_app(settings, repo=repo, content=content, bot=bot)
        world = InProcessWorld.for_app(app)
        return Reminders(app, repo, clock, world, world.world)

    yield make
    for db, bot in opened:
        await bot.session.close()
        await db.close()


@pytest.fixture
async def reminders(make_reminders: Callable[..., Any]) -> Reminders:
    result: Reminders = await make_reminders()
    return result
