"""`python -m bot` without BOT_TOKEN: run the sandbox until Ctrl-C / SIGTERM."""

from __future__ import annotations

import sys

from bot.config import ConfigError, Settings
from bot.sandbox.runtime import Sandbox

EXIT_CONFIG = 2


async def run_sandbox(settings: Settings) -> int:
    """Serve the sandbox on SANDBOX_HOST:SANDBOX_PORT; return the process exit code."""
    sandbox = Sandbox(settings)
    try:
        await sandbox.start()
    except OSError as error:
        print(
            f"sandbox: cannot listen on {sandbox.host}:{sandbox.port} "
            f"({error.strerror or error}); set SANDBOX_PORT to a free port",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        if not sandbox.stopping:
            print(
                f"Sandbox (no BOT_TOKEN, nothing goes to Telegram): open {sandbox.url} in a "
                f"browser.\nSandbox database: {sandbox.database}. Ctrl-C stops it.",
                flush=True,
            )
        return await sandbox.wait()
    finally:
        await sandbox.stop()
        print("Sandbox stopped.", flush=True)
