"""Fixtures of the emulator's tests: an emulator, its HTTP server, clients and bots."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer

from bot.emulator import BotWorld, Emulator, start_server
from tests.kit import EmulatorClient
from tests.kit.http_session import LocalHttpSession

TOKEN = "123456:TEST-token_for-the-emulator"
BOT_ID = 123456


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    instance = Emulator()
    yield instance
    await instance.aclose()


@pytest.fixture
def world(emulator: Emulator) -> BotWorld:
    return emulator.world(TOKEN)


@pytest.fixture
async def base_url(emulator: Emulator) -> AsyncIterator[str]:
    runner, url = await start_server(emulator)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(base_url) as control:
        yield control


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
async def make_bot(base_url: str) -> AsyncIterator[Callable[..., Bot]]:
    """Factory of real aiogram Bots talking HTTP to the emulator (closed after the test)."""
    made: list[Bot] = []

    def make(token: str = TOKEN, timeout: float = 5.0) -> Bot:
        session = LocalHttpSession(api=TelegramAPIServer.from_base(base_url), timeout=timeout)
        made.append(Bot(token, session=session))
        return made[-1]

    yield make
    for instance in made:
        await instance.session.close()


@pytest.fixture
def bot(make_bot: Callable[..., Bot]) -> Bot:
    return make_bot()
