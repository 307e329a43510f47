"""A bot under test as a real process: `python -m bot` or `python -m bench.echo_bot`.

The process gets the same environment as in production (BOT_TOKEN, TELEGRAM_API_BASE,
DATABASE_PATH, POLLING_TIMEOUT, LOG_LEVEL) and runs in its own work folder, so a developer's
`.env` never leaks in. Start-up is over when its first getUpdates reaches the emulator.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
import time
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path

from bench import procfs
from bot.emulator.world import BotWorld

ROOT = Path(__file__).resolve().parents[1]
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the benchmark process dies, never outlive it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


@dataclass(eq=False)
class BenchBot:
    """The bot `name`, run as `python -m <module>` in `workdir` against the emulator at
    `base_url`; `env`: more settings for this run, on top of the production environment."""

    name: str
    module: str
    _: KW_ONLY
    token: str
    base_url: str
    world: BotWorld
    workdir: Path
    log_level: str = "INFO"
    env: dict[str, str] = field(default_factory=dict)
    proc: asyncio.subprocess.Process | None = field(default=None, init=False)

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def environment(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
        return {
            **keep,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": self.token,
            "TELEGRAM_API_BASE": self.base_url,
            "DATABASE_PATH": str(self.workdir / f"{self.name}.sqlite3"),
            "POLLING_TIMEOUT": "10",
            "LOG_LEVEL": self.log_level,
            # The measured journey names a call time (bench/journeys.py): booking the
            # diagnostic in the calendar is off here.
            "DIAGNOSTIC_HOURS": "",
            **self.env,
        }

    async def start(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Start the process and wait until it polls for updates."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        polls_before = len(self.world.calls("getUpdates"))
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.module,
                cwd=self.workdir, env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while len(self.world.calls("getUpdates")) <= polls_before:
            if self.proc.returncode is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not poll within {timeout}s:\n{self.log()}")
            await asyncio.sleep(0.05)

    def memory_kib(self) -> dict[str, int]:
        return procfs.memory_kib(self.pid)

    def cpu_seconds(self) -> float:
        return procfs.cpu_seconds(self.pid)

    async def stop(self, timeout: float = 20.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode

    def log(self, tail: int = 4000) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-tail:]
