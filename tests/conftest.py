"""Shared fixtures: a fresh SQLite database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import create_bot, create_dispatcher
from bot.config import Settings, load_settings
from bot.content import Content
from bot.db import Database
from bot.db.repos import Repositories
from bot.emulator.inprocess_driver import InProcessWorld
from bot.emulator.session import EmulatorSession
from bot.emulator.world import Emulator


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    database = await Database(db_path).connect()
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
async def repo(db: Database) -> Repositories:
    return Repositories.create(db)


@pytest.fixture
async def world(
    settings: Settings, repo: Repositories, content: Content
) -> AsyncIterator[InProcessWorld]:
    """The real dispatcher, fed in process; the bot talks to an emulated Telegram."""
    dispatcher = create_dispatcher(settings, repo=repo, content=content)
    bot = create_bot(settings, session=EmulatorSession(Emulator()))
    async with InProcessWorld(dispatcher, bot) as driver:
        yield driver
