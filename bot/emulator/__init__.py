"""Telegram Bot API emulator: an in-memory Telegram for tests, benchmarks and the sandbox.

world.py            Emulator / BotWorld: the in-memory model and its control methods
                    (membership.py people and groups, injection.py what people do,
                    topics.py forum topics)
api.py              call_method(): Bot API semantics and Telegram's exact errors
methods/            the Bot API methods, one module per family
server.py           aiohttp server: Bot API + /_emu/ control API (control_api.py)
session.py          EmulatorSession: in-process aiogram transport
client.py           EmulatorClient / RemoteBot: control API over HTTP
drivers.py          Person / WorldDriver: user-story drivers; views.py MessageView
http_driver.py      HttpWorld;  inprocess_driver.py  InProcessWorld

Off by default, per Emulator (or per bot over the control API's settings):
limits.py           rate_limits: Telegram's flood limits, 429 with retry_after
enrichment.py       response_enrichment: answers carry every optional field Telegram may
                    send (schema_samples.py generates them from aiogram's types)
"""

from bot.emulator.api import call_method
from bot.emulator.client import EmulatorClient, EmulatorClientError, RemoteBot
from bot.emulator.drivers import Person, WorldDriver
from bot.emulator.errors import ApiError, ControlError, TransportFault
from bot.emulator.http_driver import HttpWorld
from bot.emulator.inprocess_driver import InProcessWorld
from bot.emulator.server import create_app, start_server
from bot.emulator.session import EmulatorSession
from bot.emulator.views import Button, Group, MessageView
from bot.emulator.world import BotWorld, Emulator

__all__ = [
    "ApiError",
    "BotWorld",
    "Button",
    "ControlError",
    "Emulator",
    "EmulatorClient",
    "EmulatorClientError",
    "EmulatorSession",
    "Group",
    "HttpWorld",
    "InProcessWorld",
    "MessageView",
    "Person",
    "RemoteBot",
    "TransportFault",
    "WorldDriver",
    "call_method",
    "create_app",
    "start_server",
]
