"""Fixtures for production-operation tests: the HTTP emulator (its in-process world too, for
faults the control API does not offer), real bot processes against it, and ports."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.emulator import Emulator
from bot.emulator.world import BotWorld
from tests.e2e.harness import TOKEN, Spawn, client, http_world, spawn
from tests.e2e.test_diagnostic_e2e import submit_request
from tests.kit import EmulatorClient

__all__ = ["Spawn", "client", "http_world", "spawn", "submit_request"]  # fixtures, helpers


def free_port() -> int:
    """A loopback port nobody listens on (bound and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def http_get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


@pytest.fixture
def telegram(emulator: Emulator, client: EmulatorClient) -> BotWorld:
    """The bot's world inside the emulator (same loop): faults with any option, webhook state."""
    return emulator.world(TOKEN)
