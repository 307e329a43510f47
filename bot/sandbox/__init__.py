"""The offline sandbox: the Bot API emulator, the real bot and a Telegram-like web page.

cast.py        the seeded consultants' group and people, new ones on demand
settings.py    the bot's settings inside the sandbox (token, API base, its own database)
supervisor.py  runs `run_service` as a task that can be stopped and restarted
web.py         the page, its static files and the /api/ routes
runtime.py     Sandbox: one server for page + emulator, the bot, reset, stop
main.py        run_sandbox(): what `python -m bot` runs without BOT_TOKEN
static/        index.html, sandbox.css and js/ (plain files, no build step)
"""

from bot.sandbox.main import run_sandbox
from bot.sandbox.runtime import Sandbox

__all__ = ["Sandbox", "run_sandbox"]
