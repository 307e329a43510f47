"""Fixtures: an HTTP emulator in the test's loop and the real bot process against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import BotProcess, Spawn, client, http_world, spawn

__all__ = ["client", "http_world", "spawn"]  # fixtures


@pytest.fixture
def bot_process(spawn: Spawn, tmp_path: Path) -> BotProcess:
    return spawn(workdir=tmp_path)
