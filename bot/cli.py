"""Command line: `python -m bot` runs the bot (sandbox without a token), plus operator commands."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import ConfigError, load_settings
from bot.db import DatabaseError
from bot.logging_setup import setup_logging

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default); the sandbox when BOT_TOKEN is unset")
    sub.add_parser("check-content", help="render every text and keyboard and check them")
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
    secrets = (settings.token(),) if settings.bot_token else ()
    setup_logging(settings.log_level, secrets)
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
