"""Fixtures of the emulator over HTTP, for every test folder (a pytest plugin, registered in
tests/conftest.py): `emulator` in the test's event loop, its server at `emulator_url`, and
`client`, the control API's client (folders whose bot process needs its bot registered
override `client`, see tests/e2e/harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import Emulator, serving
from tests.kit.client import EmulatorClient


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as instance:
        yield instance


@pytest.fixture
async def emulator_url(emulator: Emulator) -> AsyncIterator[str]:
    async with serving(emulator) as url:
        yield url


@pytest.fixture
async def client(emulator_url: str) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator_url) as control:
        yield control
