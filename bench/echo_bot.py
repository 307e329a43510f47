"""The baseline: the simplest aiogram 3 bot, echoing every text with `message.answer`.

    BOT_TOKEN=… TELEGRAM_API_BASE=http://127.0.0.1:8081 python -m bench.echo_bot

Standard `Dispatcher.start_polling` (a task per update, SIGTERM stops it). Like the real bot,
aiogram's per-update INFO line ("Update id=… is handled") is kept for LOG_LEVEL=DEBUG only,
so both bots pay the same logging cost.
"""

from __future__ import annotations

import asyncio
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def echo(message: Message) -> None:
    if message.text:
        await message.answer(message.text)


async def main() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    base = os.environ.get("TELEGRAM_API_BASE", "https://api.telegram.org")
    session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    await dispatcher.start_polling(bot, polling_timeout=int(os.environ.get("POLLING_TIMEOUT", 10)))


if __name__ == "__main__":
    asyncio.run(main())
