"""Fixtures of the emulator over HTTP, for every test folder (a pytest plugin, registered in
tests/conftest.py): `emulator` in the test's event loop, its server at `emulator_url`, and
`client`, the control API's client (folders whose bot process needs its bot registered
override `client`, see tests/e2e/harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import Emulator, start_server
from tests.kit.client import EmulatorClient


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    instance = Emulator()
    try:
        yield instance
    finally:
        await instance.aclose()


@pytest.fixture
async def emulator_url(emulator: Emulator) -> AsyncIterator[str]:
    runner, url = await start_server(emulator)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def client(emulator_url: str) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator_url) as control:
        yield control
