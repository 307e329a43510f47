"""One sandbox: the emulator and the page on one aiohttp server, and the real bot against it.

    sandbox = Sandbox(settings)        # port=0 picks a free port (tests)
    await sandbox.start()              # serve, seed the world, start the bot, wait for it to poll
    code = await sandbox.wait()        # until SIGINT/SIGTERM
    await sandbox.stop()

`reset()` stops the bot, deletes the sandbox database files, resets the emulator's world to
the seeded cast and starts the bot again; the page learns of it from a `sandbox_reset` event.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import Settings, ensure_database_dir
from bot.emulator.server import create_app
from bot.emulator.world import Emulator
from bot.sandbox import cast as people
from bot.sandbox.settings import (
    SANDBOX_TOKEN,
    bot_settings,
    delete_database,
    sandbox_database_path,
)
from bot.sandbox.supervisor import BotSupervisor, ServiceFactory
from bot.sandbox.web import add_sandbox_routes

log = logging.getLogger(__name__)

READY_TIMEOUT = 15.0
RESET_EVENT = "sandbox_reset"
_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def _url_host(host: str) -> str:
    host = _ANY_ADDRESS.get(host, host)
    return f"[{host}]" if ":" in host else host


class Sandbox:
    def __init__(
        self,
        settings: Settings,
        *,
        host: str | None = None,
        port: int | None = None,
        database: Path | None = None,
        service: ServiceFactory | None = None,
        handle_signals: bool = True,
    ) -> None:
        self.settings = settings
        self.host = settings.sandbox_host if host is None else host
        self.port = settings.sandbox_port if port is None else port
        self.database = database or sandbox_database_path(settings)
        self.emulator = Emulator()
        self.world = self.emulator.register(SANDBOX_TOKEN)
        self.cast = people.seed_world(self.world)
        self.generation = 1
        self.url = ""
        self.exit_code = 0
        self._handle_signals = handle_signals
        self._supervisor = (
            BotSupervisor(service=service, on_exit=self._service_exited)
            if service is not None
            else BotSupervisor(on_exit=self._service_exited)
        )
        self._runner: web.AppRunner | None = None
        self._lock = asyncio.Lock()
        self._finished = asyncio.Event()

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve the page and the emulator, then start the bot and wait until it polls.
        OSError when the port is taken; ConfigError when the database folder is unusable."""
        ensure_database_dir(self.database)
        app = create_app(self.emulator)
        add_sandbox_routes(app, self)
        runner = web.AppRunner(app, shutdown_timeout=2.0, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        self.url = f"http://{_url_host(self.host)}:{self.port}"
        self._claim_signals()
        self._start_bot()
        await self._wait_polling()

    async def wait(self) -> int:
        """Until a stop is asked for (SIGINT/SIGTERM, also when the bot service got it)."""
        await self._finished.wait()
        return self.exit_code

    def request_stop(self, code: int = 0) -> None:
        self.exit_code = code
        self._finished.set()

    @property
    def stopping(self) -> bool:
        return self._finished.is_set()

    async def stop(self) -> None:
        async with self._lock:
            await self._supervisor.stop()
            self._release_signals()
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None
        self._finished.set()

    async def reset(self) -> dict[str, Any]:
        """A fresh start: the bot stopped, its sandbox database deleted, the world re-seeded."""
        async with self._lock:
            await self._supervisor.stop()
            self._claim_signals()
            removed = delete_database(self.database)
            log.info("sandbox reset: deleted %s", ", ".join(p.name for p in removed) or "nothing")
            self.world.reset()
            self.cast = people.seed_world(self.world)
            self.generation += 1
            self.world.emit(RESET_EVENT, None, data={"generation": self.generation})
            self._start_bot()
            await self._wait_polling()
        return self.state()

    # -- what the page asks -----------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        group = self.world.chats.get(self.cast.group_id)
        return {
            "bot": {
                "id": self.world.bot_id,
                "username": self.world.username,
                "first_name": self.world.first_name,
            },
            "group": {
                "id": self.cast.group_id,
                "title": group.title if group is not None else people.GROUP_TITLE,
                "members": len(group.members) + 1 if group is not None else 0,
            },
            **people.people(self.world),
            "admin_ids": sorted(self.cast.admin_ids),
            "generation": self.generation,
            "last_seq": self.world.last_seq,
            "bot_running": self._supervisor.running,
            "timezone": self.settings.timezone,  # the page shows times as the cards do
        }

    def add_person(self, role: str, first_name: str | None) -> dict[str, Any]:
        if role == people.ROLE_CONSULTANT:
            person = people.add_consultant(self.world, first_name)
        else:
            person = people.add_owner(self.world, first_name)
        return {**person, "phone": people.sample_phone(person["id"])}

    # -- internals --------------------------------------------------------------------------

    def _start_bot(self) -> None:
        api_base = f"http://{_url_host(self.host)}:{self.port}"
        self._supervisor.start(bot_settings(self.settings, api_base, self.database, self.cast))

    async def _wait_polling(self) -> None:
        """Until the bot's first getUpdates (so the page's first message gets an answer)."""
        deadline = time.monotonic() + READY_TIMEOUT
        while not self.world.calls("getUpdates"):
            if not self._supervisor.running:
                return
            if time.monotonic() > deadline:
                log.warning("the bot has not polled within %.0f s; serving anyway", READY_TIMEOUT)
                return
            await asyncio.sleep(0.05)

    def _service_exited(self, code: int) -> None:
        # run_service has given SIGINT/SIGTERM back to their defaults: take them again.
        self._claim_signals()
        if code == 0:  # it stopped on SIGINT/SIGTERM: so does the sandbox
            self.request_stop(0)
            return
        log.error(
            "the bot stopped with exit code %d; the page stays up: press «Начать заново» "
            "there to start the bot again on a fresh sandbox database", code,
        )

    def _claim_signals(self) -> None:
        if not self._handle_signals:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_stop)

    def _release_signals(self) -> None:
        if not self._handle_signals:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
