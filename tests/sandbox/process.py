"""`python -m bot` as a user starts it: no BOT_TOKEN, no .env, a fresh folder, a free port.

`SandboxProcess.start()` waits for the printed address; `stop()` sends SIGTERM (or SIGINT,
Ctrl-C) and returns the exit code. stdout and stderr go to files in the folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 40.0
# Settings a developer's shell may carry that must not leak into a "fresh machine" run.
CLEARED_PREFIXES = (
    "BOT_", "DATABASE_", "SANDBOX_", "TELEGRAM_", "CONSULTANTS_", "ADMIN_", "LOG_LEVEL",
    "DIAGNOSTIC_", "BOOKING_",  # the sandbox books with the defaults (tests/conftest.py)
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SandboxProcess:
    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    url: str = ""

    @property
    def stdout_path(self) -> Path:
        return self.workdir / "sandbox.out"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "sandbox.err"

    def environment(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
        return {**keep, "PYTHONPATH": str(ROOT), "SANDBOX_PORT": str(self.port)}

    def start(self) -> SandboxProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=self.workdir, env=self.environment(),
                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while "open http://" not in self.stdout():
            if self.proc.poll() is not None:
                raise AssertionError(f"sandbox exited with {self.proc.returncode}:\n{self.logs()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"sandbox did not start in {STARTUP_TIMEOUT}s:\n{self.logs()}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"
        assert self.url in self.stdout()
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def logs(self) -> str:
        return f"--- stdout\n{self.stdout()}\n--- stderr\n{self.stderr()}"

    # -- HTTP -------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, *, content_type: str = "application/json",
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], bytes]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": content_type} if data is not None else {}
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """A JSON route answering {"ok": true, "result": …}; its result."""
        status, _, raw = self.request(method, path, body)
        payload = json.loads(raw)
        assert status == 200 and payload["ok"], f"{method} {path}: {status} {payload}"
        return payload["result"]
