"""End-to-end harness: the real `python -m bot` process against the HTTP Bot API emulator.

The emulator runs inside the test's event loop; the bot is a subprocess started with
TELEGRAM_API_BASE pointing at it. `BotProcess` starts, stops (SIGTERM) and kills (SIGKILL)
it; its stderr goes to a log file the test can read. `started_with_owner`: the process
started, and an owner to write to it. The fixtures at the end (the control API's `client`
with the bot registered, `http_world`, `spawn`) serve every folder whose tests start the bot.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.kit.client import EmulatorClient, RemoteBot
from tests.kit.drivers import Person
from tests.kit.http_driver import HttpWorld

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "987654321:E2E-token-for-the-real-bot-process_abc"
BOT_ID = 987654321


class BotProcess:
    def __init__(self, base_url: str, remote: RemoteBot, workdir: Path, **env: str) -> None:
        self.base_url = base_url
        self.remote = remote
        self.workdir = workdir
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.log_path = workdir / "bot.log"

    def environment(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
        return {
            **keep,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": self.base_url,
            "DATABASE_PATH": str(self.workdir / "bot.sqlite3"),
            "POLLING_TIMEOUT": "2",
            "LOG_LEVEL": "INFO",
            **self.env,
        }

    async def start(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Start the process and wait until it has configured itself (set the command menu,
        the last call before it starts polling)."""
        polls_before = len(await self.remote.calls("setMyCommands"))
        log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=self.workdir,
            env=self.environment(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while len(await self.remote.calls("setMyCommands")) <= polls_before:
            if self.proc.returncode is not None:
                raise AssertionError(f"bot exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"bot did not start polling in {timeout}s:\n{self.log()}")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """kill -9: no cleanup, no goodbye."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:  # noqa: ASYNC109
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


async def started_with_owner(bot_process: BotProcess, world: HttpWorld, name: str) -> Person:
    """The bot process started; then `name`, an owner new to the bot, comes to write to it."""
    await bot_process.start()
    return await world.user(name)


# -- fixtures (imported by the conftests of the folders that start the bot) -----------------

Spawn = Callable[..., BotProcess]


@pytest.fixture
async def client(client: EmulatorClient) -> EmulatorClient:
    """The control API's client, with the bot process's bot registered."""
    await client.register_bot(TOKEN, username="sales_funnel_test_bot")
    return client


@pytest.fixture
def http_world(client: EmulatorClient) -> HttpWorld:
    """People talking to the bot process through the control API."""
    return HttpWorld(client, BOT_ID, timeout=15.0, quiet_period=1.0)


@pytest.fixture
async def spawn(
    emulator_url: str, client: EmulatorClient, tmp_path: Path
) -> AsyncIterator[Spawn]:
    """Make real bot processes (not started); each gets its own folder unless `workdir`.
    Those still running at the end are killed."""
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
