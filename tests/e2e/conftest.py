"""Fixtures: an HTTP emulator in the test's loop and the real bot process against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator, start_server
from tests.e2e.harness import BOT_ID, TOKEN, BotProcess
from tests.kit import EmulatorClient
from tests.kit.http_driver import HttpWorld


@pytest.fixture
async def emulator_url() -> AsyncIterator[str]:
    emulator = Emulator()
    runner, url = await start_server(emulator)
    try:
        yield url
    finally:
        await runner.cleanup()
        await emulator.aclose()


@pytest.fixture
async def client(emulator_url: str) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator_url) as emulator_client:
        await emulator_client.register_bot(TOKEN, username="sales_funnel_test_bot")
        yield emulator_client


@pytest.fixture
def http_world(client: EmulatorClient) -> HttpWorld:
    return HttpWorld(client, BOT_ID, timeout=10.0, quiet_period=1.0)


@pytest.fixture
async def bot_process(
    emulator_url: str, client: EmulatorClient, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    process = BotProcess(emulator_url, client.bot(BOT_ID), tmp_path)
    try:
        yield process
    finally:
        if process.proc is not None and process.proc.returncode is None:
            await process.kill()
