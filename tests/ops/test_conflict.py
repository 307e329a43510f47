"""Two processes polling one token: Telegram answers 409 Conflict to one of them, which exits
with code 3 and says why in one line, instead of retrying forever; the other goes on."""

from __future__ import annotations

import asyncio

import pytest

from bot.service import EXIT_INTAKE_STOPPED
from tests.kit.http_driver import HttpWorld
from tests.ops.conftest import Spawn
from tests.stories import greeted

pytestmark = pytest.mark.process


async def test_a_second_poller_makes_one_process_exit_with_a_clear_line_and_code_3(
    spawn: Spawn, http_world: HttpWorld
) -> None:
    first, second = spawn(), spawn()
    await first.start()
    await second.start()
    assert first.proc is not None and second.proc is not None
    waits = {
        asyncio.ensure_future(first.proc.wait()): first,
        asyncio.ensure_future(second.proc.wait()): second,
    }
    done, pending = await asyncio.wait(waits, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    assert len(done) == 1, "neither process noticed the other"
    loser = waits[done.pop()]
    survivor = second if loser is first else first

    assert loser.proc is not None and loser.proc.returncode == EXIT_INTAKE_STOPPED
    lines = [line for line in loser.log().splitlines() if "409 Conflict" in line]
    assert len(lines) == 1, loser.log()
    assert "another process is receiving updates for this bot token" in lines[0]
    assert f"exiting with code {EXIT_INTAKE_STOPPED}" in lines[0]
    assert "Traceback" not in loser.log()

    owner = await http_world.user("Анна")
    await greeted(owner)
    assert await survivor.stop() == 0
    assert "409 Conflict" not in survivor.log()
