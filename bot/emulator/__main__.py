"""Standalone emulator: `python -m bot.emulator [--host 127.0.0.1] [--port 8081]
[--no-privacy] [--rate-limits] [--enrich-responses]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.emulator.server import serving
from bot.emulator.world import Emulator


async def serve(
    host: str, port: int, privacy_mode: bool, rate_limits: bool = False, enrich: bool = False
) -> None:
    emulator = Emulator(
        privacy_mode=privacy_mode, rate_limits=rate_limits, response_enrichment=enrich
    )
    async with serving(emulator, host, port) as base_url:
        print(f"Telegram Bot API emulator listening on {base_url}", flush=True)
        print(f"  Bot API:     {base_url}/bot<token>/<method>", flush=True)
        print(f"  Control API: {base_url}/_emu/", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--no-privacy", action="store_true", help="bots see every group message (privacy off)"
    )
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="enforce Telegram's flood limits (1/s per chat, 20/min per group, 30/s) with 429",
    )
    parser.add_argument(
        "--enrich-responses",
        action="store_true",
        help="answers carry extra valid optional fields and an unknown one",
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                args.host,
                args.port,
                privacy_mode=not args.no_privacy,
                rate_limits=args.rate_limits,
                enrich=args.enrich_responses,
            )
        )


if __name__ == "__main__":
    main()
