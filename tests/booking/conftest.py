"""Booking's fixtures: booking on (DIAGNOSTIC_HOURS set explicitly), a clock that stands
still on Monday 7 December 2026, 09:00 in Moscow, the app using it as its "now", and a
reminder schedule that records what the booking service hands it.

`@pytest.mark.parametrize("settings", [{...}], indirect=True)` changes settings for a test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotApp, create_app, create_bot
from bot.booking.reminders import Reminder
from bot.config import Settings, load_settings
from bot.content import Content
from bot.db import Database
from bot.db.repos import Repositories
from bot.emulator.world import Emulator
from tests.booking.clock import FrozenClock, at
from tests.conftest import TEST_TOKEN
from tests.kit.session import EmulatorSession

MONDAY_9AM = at("2026-12-07 09:00")
BOOKING = {
    "diagnostic_hours": "mon-fri 10:00-18:00", "diagnostic_slot_minutes": 60,
    "booking_min_notice": "3h", "diagnostic_parallel": 1, "booking_days_ahead": 10,
    "timezone": "Europe/Moscow",
}


@dataclass
class Scheduled:
    booking_id: int
    reminders: list[Reminder]
    in_unit: bool  # called inside the update's transaction
    state: str | None  # the booking's state as that transaction sees it


@dataclass
class RecordingSchedule:
    """A `ReminderSchedule` that keeps every call (the follow-up scheduler stands in)."""

    db: Database
    calls: list[Scheduled] = field(default_factory=list)

    async def replace(
        self, booking_id: int, lead_id: int, reminders: Sequence[Reminder]
    ) -> None:
        state = await self.db.fetchval("SELECT state FROM bookings WHERE id = ?", (booking_id,))
        self.calls.append(Scheduled(booking_id, list(reminders), self.db.in_unit, state))

    def latest(self, booking_id: int) -> list[Reminder]:
        return [c for c in self.calls if c.booking_id == booking_id][-1].reminders


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MONDAY_9AM)


@pytest.fixture
def settings(db_path: Path, request: pytest.FixtureRequest) -> Settings:
    fields: dict[str, Any] = {**BOOKING, **getattr(request, "param", {})}
    return load_settings(None, bot_token=TEST_TOKEN, database_path=db_path, **fields)


@pytest.fixture
def reminders(db: Database) -> RecordingSchedule:
    return RecordingSchedule(db)


@pytest.fixture
async def app(
    settings: Settings, repo: Repositories, content: Content, clock: FrozenClock,
    reminders: RecordingSchedule,
) -> AsyncIterator[BotApp]:
    bot = create_bot(settings, session=EmulatorSession(Emulator()))
    yield create_app(
        settings, repo=repo, content=content, bot=bot, reminders=reminders
    )
    await bot.session.close()
