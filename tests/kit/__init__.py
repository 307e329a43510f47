"""The test kit of the emulator (`bot/emulator`): how tests and benchmarks drive it.

session.py          EmulatorSession: aiogram's transport straight into an Emulator, no HTTP
http_session.py     LocalHttpSession: aiogram over HTTP to the local server, closed at once
client.py           EmulatorClient / RemoteBot: the control API (/_emu/) over HTTP
drivers.py          Person / WorldDriver: people in user stories (send, click, expect)
views.py            MessageView / Button / Group: what a person sees of a message
inprocess_driver.py InProcessWorld: the bot's dispatcher in this process
http_driver.py      HttpWorld: a bot process over the control API

The product (the sandbox, `python -m bot.emulator`) needs none of these.
"""

from tests.kit.client import EmulatorClient, EmulatorClientError, RemoteBot
from tests.kit.drivers import Person, WorldDriver
from tests.kit.http_driver import HttpWorld
from tests.kit.inprocess_driver import InProcessWorld
from tests.kit.session import EmulatorSession
from tests.kit.views import Button, Group, MessageView

__all__ = [
    "Button",
    "EmulatorClient",
    "EmulatorClientError",
    "EmulatorSession",
    "Group",
    "HttpWorld",
    "InProcessWorld",
    "MessageView",
    "Person",
    "RemoteBot",
    "WorldDriver",
]
