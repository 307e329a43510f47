"""Webhook intake: Telegram POSTs each update; it is committed to the inbox before the 200.

The durable-polling contract, over HTTP: an update is answered 200 only once its inbox row
is committed (a failed commit answers 500 and Telegram delivers it again); an update_id seen
before is acknowledged and ignored; fresh updates go to the same `UpdateProcessor` (ordered
per chat). A request without the right `X-Telegram-Bot-Api-Secret-Token` gets 401 and runs
nothing; a body that is not an update gets 400.

At start: unfinished inbox rows first, then the server, then setWebhook (url, secret,
allowed_updates — never drop_pending_updates). At stop the webhook stays set, so Telegram
keeps queueing updates until the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.db.inbox import InboxRepo
from bot.runner import (
    BACKOFF_MAX,
    BACKOFF_START,
    MAX_BACKLOG,
    IntakeStopped,
    UpdateProcessor,
    resume_unfinished,
    unparseable,
)

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 4 * 1024 * 1024
SHUTDOWN_TIMEOUT = 5.0


class WebhookIntake:
    mode = "webhook"

    def __init__(
        self,
        bot: Bot,
        processor: UpdateProcessor,
        inbox: InboxRepo,
        *,
        url: str,
        secret: str,
        host: str,
        port: int,
        path: str,
        allowed_updates: list[str] | None = None,
        max_backlog: int = MAX_BACKLOG,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.bot, self.processor, self.inbox = bot, processor, inbox
        self.url, self.host, self.port, self.path = url, host, port, path
        self.allowed_updates = allowed_updates
        self.max_backlog = max_backlog
        self.on_error = on_error
        self._secret = secret.encode()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def alive(self) -> bool:
        return self._runner is not None and not self._stopping.is_set()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Serve until `stop()`; raise IntakeStopped when the webhook cannot work at all."""
        await resume_unfinished(self.bot, self.processor, self.inbox)
        await self.serve()
        try:
            await self.register()
            await self._stopping.wait()
        finally:
            await self.close()

    async def serve(self) -> None:
        """Listen on host:port (port 0 picks a free one; `self.port` tells which)."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._receive)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as error:
            await runner.cleanup()
            raise IntakeStopped(
                f"cannot listen for the webhook on {self.host}:{self.port} "
                f"({error.strerror or error}); check WEBHOOK_HOST and WEBHOOK_PORT"
            ) from None
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("webhook server listening on %s:%d%s", self.host, self.port, self.path)

    async def register(self) -> None:
        """setWebhook, retried while Telegram is unreachable (the server already listens)."""
        delay = BACKOFF_START
        while not self._stopping.is_set():
            try:
                await self.bot.set_webhook(
                    url=self.url,
                    secret_token=self._secret.decode(),
                    allowed_updates=self.allowed_updates,
                )
            except TelegramUnauthorizedError:
                raise IntakeStopped("Telegram rejected BOT_TOKEN (401 Unauthorized)") from None
            except TelegramBadRequest as error:
                raise IntakeStopped(
                    f"Telegram refused WEBHOOK_URL ({error.message}); Telegram needs HTTPS on "
                    "port 443, 80, 88 or 8443"
                ) from None
            except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as error:
                log.warning(
                    "setWebhook failed (%s); retrying in %.1fs", type(error).__name__, delay
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            log.info("webhook set; Telegram posts updates to the configured WEBHOOK_URL")
            return

    async def close(self) -> None:
        """Stop listening; requests in progress finish (or Telegram retries them).
        The webhook itself stays set."""
        self._stopping.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # -- one request -----------------------------------------------------------------------

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self._error("webhook:unauthorized")
            log.warning("webhook: refused a request without the right secret token")
            return web.Response(status=401, text="unauthorized")
        try:
            body = await request.read()
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return self._bad_request("the body is not JSON")
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return self._bad_request("the body is not an update (no integer update_id)")
        # Backpressure, as in polling: Telegram waits on this connection meanwhile.
        await self.processor.wait_for_room(self.max_backlog)
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except ValidationError as error:
            return await self._store_unparseable(update_id, body, error)
        received = time.monotonic()
        payload = update.model_dump_json(exclude_unset=True, by_alias=True)
        try:
            fresh = await self.inbox.store([(update_id, payload)])
        except Exception as error:  # not stored: Telegram must deliver it again
            self._error("webhook:store_failed")
            log.error("webhook: update %d not stored (%s); answering 500", update_id, error)
            return web.Response(status=500, text="not stored")
        # Committed: now it may be acknowledged.
        if fresh:
            self.processor.submit(update_id, update, received)
        else:
            log.info("update %d was seen before; ignored", update_id)
        return web.Response(status=200)

    async def _store_unparseable(
        self, update_id: int, body: bytes, error: ValidationError
    ) -> web.Response:
        """A well-formed update this aiogram cannot read: keep it as failed, acknowledge it
        (refusing would make Telegram retry it forever and hold up the chat's queue)."""
        self._error("webhook:unparseable")
        log.error("webhook: update %d cannot be parsed; stored as failed", update_id)
        try:
            await self.inbox.store(
                [(update_id, body.decode("utf-8", "replace"))],
                failed={update_id: unparseable(error)},
            )
        except Exception as store_error:
            log.error("webhook: update %d not stored (%s)", update_id, store_error)
            return web.Response(status=500, text="not stored")
        return web.Response(status=200)

    def _bad_request(self, why: str) -> web.Response:
        self._error("webhook:bad_request")
        log.warning("webhook: refused a request: %s", why)
        return web.Response(status=400, text=why)

    def _error(self, kind: str) -> None:
        if self.on_error is not None:
            self.on_error(kind)
