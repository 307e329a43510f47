"""Fixtures for production-operation tests: the HTTP emulator (its in-process world too, for
faults the control API does not offer), real bot processes against it, and ports."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.emulator import Emulator, start_server
from bot.emulator.world import BotWorld
from tests.e2e.harness import BOT_ID, TOKEN, BotProcess
from tests.e2e.test_diagnostic_e2e import journey
from tests.kit import EmulatorClient
from tests.kit.drivers import Person
from tests.kit.http_driver import HttpWorld

Spawn = Callable[..., BotProcess]


def free_port() -> int:
    """A loopback port nobody listens on (bound and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def http_get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def submit_request(person: Person, phone: str = "contact") -> None:
    """The whole diagnostic request; the phone shared as a contact, or typed as `phone`."""
    for expected, action in journey():
        if expected == "Когда вам удобно" and phone != "contact":
            await person.send(phone)
        else:
            await action(person)
        await person.expect(expected)
    await person.expect("Предварительный чек-лист")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emulator = Emulator()
    try:
        yield emulator
    finally:
        await emulator.aclose()


@pytest.fixture
async def emulator_url(emulator: Emulator) -> AsyncIterator[str]:
    runner, url = await start_server(emulator)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def client(emulator_url: str) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator_url) as emulator_client:
        await emulator_client.register_bot(TOKEN, username="sales_funnel_test_bot")
        yield emulator_client


@pytest.fixture
def telegram(emulator: Emulator, client: EmulatorClient) -> BotWorld:
    """The bot's world inside the emulator (same loop): faults with any option, webhook state."""
    return emulator.world(TOKEN)


@pytest.fixture
def http_world(client: EmulatorClient) -> HttpWorld:
    return HttpWorld(client, BOT_ID, timeout=15.0, quiet_period=1.0)


@pytest.fixture
async def spawn(
    emulator_url: str, client: EmulatorClient, tmp_path: Path
) -> AsyncIterator[Spawn]:
    """Make real bot processes (not started); each gets its own folder unless `workdir`."""
    made: list[BotProcess] = []

    def make(workdir: Path | None = None, **env: str) -> BotProcess:
        folder = workdir or tmp_path / f"bot{len(made) + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        process = BotProcess(emulator_url, client.bot(BOT_ID), folder, **env)
        made.append(process)
        return process

    try:
        yield make
    finally:
        for process in made:
            if process.proc is not None and process.proc.returncode is None:
                await process.kill()
