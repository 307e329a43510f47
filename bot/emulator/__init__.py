"""Telegram Bot API emulator: an in-memory Telegram for the sandbox, tests and benchmarks.

world.py            Emulator / BotWorld: the in-memory model and its control methods
                    (membership.py people and groups, injection.py what people do,
                    topics.py forum topics, faults.py planned failures)
api.py              call_method(): Bot API semantics and Telegram's exact errors
methods/            the Bot API methods, one module per family
server.py           aiohttp server: Bot API + /_emu/ control API (control_api.py)
__main__.py         `python -m bot.emulator`: the server on its own

Off by default, per Emulator (or per bot over the control API's settings):
limits.py           rate_limits: Telegram's flood limits, 429 with retry_after
enrichment.py       response_enrichment: answers carry every optional field Telegram may
                    send (schema_samples.py generates them from aiogram's types)

The tooling that drives the emulator from tests and benchmarks (the in-process aiogram
session, the control API's client, people drivers, message views) is `tests/kit/`.
"""

from bot.emulator.api import call_method
from bot.emulator.errors import ApiError, ControlError, TransportFault
from bot.emulator.server import create_app, serving, start_server
from bot.emulator.world import BotWorld, Emulator

__all__ = [
    "ApiError",
    "BotWorld",
    "ControlError",
    "Emulator",
    "TransportFault",
    "call_method",
    "create_app",
    "serving",
    "start_server",
]
