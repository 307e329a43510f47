"""Fixtures of the emulator's tests: the bot's world and real aiogram Bots over HTTP (the
emulator, its server and the control API's client are tests/kit/fixtures.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer

from bot.emulator import BotWorld, Emulator
from tests.kit.client import EmulatorClient, RemoteBot
from tests.kit.http_session import LocalHttpSession

TOKEN = "123456:TEST-token_for-the-emulator"
BOT_ID = 123456


@pytest.fixture
def world(emulator: Emulator) -> BotWorld:
    return emulator.world(TOKEN)


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def remote(client: EmulatorClient) -> RemoteBot:
    """The control API for the bot of `token`."""
    return client.bot(BOT_ID)


@pytest.fixture
async def make_bot(emulator_url: str) -> AsyncIterator[Callable[..., Bot]]:
    """Factory of real aiogram Bots talking HTTP to the emulator (closed after the test)."""
    made: list[Bot] = []

    def make(token: str = TOKEN, timeout: float = 5.0) -> Bot:
        session = LocalHttpSession(api=TelegramAPIServer.from_base(emulator_url), timeout=timeout)
        made.append(Bot(token, session=session))
        return made[-1]

    yield make
    for instance in made:
        await instance.session.close()


@pytest.fixture
def bot(make_bot: Callable[..., Bot]) -> Bot:
    return make_bot()
