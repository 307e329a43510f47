"""Runs the real bot service (`run_service`) as a task that the sandbox can stop and restart.

While it runs, `run_service` owns SIGINT/SIGTERM (its graceful stop); when it returns on its
own, `on_exit` gets its exit code (0 after a signal). A stop asked for by the sandbox (reset,
shutdown) cancels the task instead; `run_service`'s cleanup still runs (drain the updates in
flight, close the bot and the database) and `on_exit` is not called.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.config import Settings

log = logging.getLogger(__name__)

ServiceFactory = Callable[[Settings], Awaitable[int]]


def _default_service(settings: Settings) -> Awaitable[int]:
    from bot.service import run_service

    return run_service(settings)


class BotSupervisor:
    def __init__(
        self,
        *,
        service: ServiceFactory = _default_service,
        on_exit: Callable[[int], None] | None = None,
    ) -> None:
        self._service = service
        self._on_exit = on_exit
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, settings: Settings) -> None:
        if self.running:
            raise RuntimeError("the bot service is already running")
        self._task = asyncio.create_task(self._run(settings), name="sandbox-bot-service")

    async def stop(self) -> None:
        """Stop the service and wait until it has closed its database."""
        task = self._task
        if task is None:
            return
        if not task.done():
            task.cancel()
        await asyncio.wait({task})
        self._task = None

    async def _run(self, settings: Settings) -> None:
        try:
            code = await self._service(settings)
        except asyncio.CancelledError:
            log.info("bot service stopped by the sandbox")
            raise
        except Exception:
            log.exception("the bot service crashed")
            code = 1
        log.info("bot service exited with %d", code)
        if self._on_exit is not None:
            self._on_exit(code)
