"""Command line: `python -m bot` runs the bot (sandbox without a token), plus operator commands.

Exit codes: 0 stopped cleanly; 1 failed (see the log); 2 configuration error; 3 updates
cannot be received (another instance polls the same token, the token was revoked, Telegram
refused the webhook, or a port to listen on is taken) — restarting will not help until that
is fixed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.db import DatabaseError
from bot.logging_setup import setup_logging

EXIT_FAILED = 1
EXIT_CONFIG = 2

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default); the sandbox when BOT_TOKEN is unset")
    sub.add_parser("check-content", help="render every text and keyboard and check them")
    backup = sub.add_parser(
        "backup", help="back up the database into DEST (default BACKUP_DIR), keep the last N"
    )
    backup.add_argument("dest", nargs="?", type=Path, help="backup folder (default BACKUP_DIR)")
    backup.add_argument("--keep", type=int, help="how many backups to keep (default BACKUP_KEEP)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check-content":
        from bot.content_check import main as check_main

        return check_main([])
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level, settings.secrets(), settings.log_format)
    if args.command == "backup":
        from bot.ops.backup_cli import run_backup_command

        return run_backup_command(settings, args.dest, args.keep)
    if settings.sandbox:
        from bot.sandbox import run_sandbox as run
    else:
        from bot.service import run_service as run

    try:
        return asyncio.run(run(settings))
    except DatabaseError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0
    except Exception:  # logged (redacted) instead of a raw traceback
        log.critical("the bot stopped on an unexpected error", exc_info=True)
        return EXIT_FAILED
