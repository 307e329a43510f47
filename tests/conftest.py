"""Shared fixtures: a fresh SQLite database per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher

from bot.app import BotApp, create_app, create_bot
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.content import Content
from bot.db import Database
from bot.db.repos import Repositories
from bot.delivery.sender import ReplySender
from bot.emulator.world import Emulator
from bot.runner import UpdateProcessor
from tests.databases import fresh_database
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.kit.session import EmulatorSession

pytest_plugins = ["pytester", "tests.process_guard", "tests.kit.fixtures"]

# The stories written before booking (issue 16) answer the call-time question: they run with
# booking off unless the shell says otherwise. Booking's own tests set DIAGNOSTIC_HOURS
# explicitly (tests/booking/); processes the tests start inherit this (e2e, sandbox).
os.environ.setdefault("DIAGNOSTIC_HOURS", "")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    database = await fresh_database(db_path)
    try:
        yield database
    finally:
        await database.close()


# -- the bot in process, against the emulator ------------------------------------------------

TEST_TOKEN = "123456789:TEST-token-for-the-in-process-bot_0123"


@pytest.fixture(scope="session")
def content() -> Content:
    return Content()


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return load_settings(None, bot_token=TEST_TOKEN, database_path=db_path)


@pytest.fixture
def clock() -> Clock:
    """The time the app runs on (a test folder may stand it still or move it)."""
    return Clock()


@pytest.fixture
async def repo(db: Database, clock: Clock) -> Repositories:
    return Repositories.create(db, clock=clock)


def bare_processor(bot: Bot, dispatcher: Dispatcher, db: Database) -> UpdateProcessor:
    """The real update processor around any dispatcher (for tests of the machinery)."""
    repo = Repositories.create(db)
    return UpdateProcessor(bot, dispatcher, repo, ReplySender(bot, repo.replies))


@pytest.fixture
async def app(settings: Settings, repo: Repositories, content: Content) -> AsyncIterator[BotApp]:
    """The bot's dispatcher, update processor and senders; its Telegram is an emulator."""
    bot = create_bot(settings, session=EmulatorSession(Emulator()))
    yield create_app(settings, repo=repo, content=content, bot=bot)
    await bot.session.close()


@pytest.fixture
async def world(app: BotApp) -> AsyncIterator[InProcessWorld]:
    """People talking to the bot in process: each update is stored in the inbox and handled
    by the real update processor (one transaction; replies sent after the commit)."""
    async with InProcessWorld.for_app(app) as driver:
        yield driver


@pytest.fixture
async def owner(world: InProcessWorld) -> Person:
    """Анна, an owner about to write to the bot for the first time."""
    return await world.user("Анна")
