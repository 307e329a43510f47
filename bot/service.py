"""The bot process: open the database, build bot and dispatcher, take updates durably, stop cleanly.

Updates come by durable polling (the default) or by webhook (WEBHOOK_URL); either way each
one is committed to the inbox before Telegram is told it arrived. Next to the intake run the
outbox sender (posts to the consultants' group), the SLA watcher, the optional daily backup
and the optional health/metrics server. On SIGTERM/SIGINT the intake stops first, updates in
flight finish within the grace period, and whatever was not sent stays pending.

Exit codes: 0 stopped; 3 updates cannot be received (409 Conflict: another instance uses
the token; token revoked; webhook refused; a port to listen on is taken) — see bot.cli.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.app import configure_bot, create_app, create_bot
from bot.background import BackgroundLoop
from bot.config import Settings
from bot.content import Content
from bot.db import Database
from bot.db.health import HealthRepo
from bot.db.repos import Repositories
from bot.gc_tuning import tune_garbage_collector
from bot.group.views.menu import configure_group_menu
from bot.housekeeping import Checkpoints, Housekeeping
from bot.ops.backup_schedule import BackupScheduler
from bot.ops.metrics import Metrics, TelegramErrorMetrics
from bot.ops.status_server import StatusServer
from bot.ops.webhook import WebhookIntake
from bot.outbox import SlaWatcher
from bot.runner import DurablePolling, IntakeStopped, UpdateProcessor
from bot.thread_switching import tune_thread_switching

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_INTAKE_STOPPED = 3

async def run_service(settings: Settings, content_dir: Path | None = None) -> int:
    """Run until SIGTERM/SIGINT; return the process exit code."""
    db = await Database(
        settings.database_path, synchronous=settings.database_synchronous
    ).connect()
    repo = Repositories.create(db)
    content = Content(content_dir) if content_dir else Content()
    metrics = Metrics()
    bot = create_bot(settings)
    bot.session.middleware(TelegramErrorMetrics(metrics))  # innermost: every attempt
    app = create_app(settings, repo=repo, content=content, bot=bot)
    processor, dispatcher, consultants = app.processor, app.dispatcher, app.consultants
    processor.error_listeners.append(
        lambda error: metrics.count_error(f"handler:{type(error).__name__}")
    )
    housekeeping = Housekeeping(repo, settings.inbox_retention_days)
    checkpoints = Checkpoints(repo.db)
    sla = SlaWatcher(repo, settings, app.outbox.wakeup)
    intake = _intake(settings, processor, repo, dispatcher.resolve_used_update_types(), metrics)
    status = None
    if settings.metrics_port:
        status = StatusServer(
            settings.metrics_host,
            settings.metrics_port,
            health=HealthRepo(db),
            metrics=metrics,
            processor=processor,
            intake=intake,
            backup_dir=settings.backup_dir,
        )
    backups = None
    if settings.backup_dir is not None:
        backups = BackupScheduler(
            settings.database_path,
            settings.backup_dir,
            hour=settings.backup_hour,
            timezone=settings.timezone,
            keep=settings.backup_keep,
            on_failure=lambda: metrics.count_error("backup"),
        )
    # Every background job (bot/background.py): started after start-up, stopped in reverse.
    jobs: list[BackgroundLoop] = [
        *app.loops(), sla, housekeeping, checkpoints,
        *([backups] if backups is not None else []),
    ]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, intake.stop)
    exit_code = 0
    try:
        if status is not None:
            await _start_status(status)
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            raise IntakeStopped("Telegram rejected BOT_TOKEN (401 Unauthorized)") from None
        log.info(
            "bot @%s (id %d) starting (%s); database %s",
            me.username,
            me.id,
            intake.mode,
            settings.database_path,
        )
        await configure_bot(bot, content)
        await configure_group_menu(bot, content, consultants.binding)
        await repo.inbox.prune(settings.inbox_retention_days * 86400)
        await app.replies.load()  # owed from before a restart: they go first
        if isinstance(intake, DurablePolling):
            # After a switch from webhook mode; pending updates stay queued at Telegram.
            await bot.delete_webhook()
        await dispatcher.emit_startup(bot=bot)
        for job in jobs:
            job.start()
        tune_garbage_collector()
        tune_thread_switching()
        await intake.run()
        log.info("stopping: finishing %d update(s) in flight", processor.in_flight)
    except IntakeStopped as error:
        log.error("intake stopped, exiting with code %d: %s", EXIT_INTAKE_STOPPED, error)
        exit_code = EXIT_INTAKE_STOPPED
    except TelegramNetworkError as error:  # only start-up calls let these out
        log.error(
            "cannot reach the Bot API at %s (%s); exiting with code %d",
            settings.telegram_api_base,
            error.message,
            EXIT_FAILED,
        )
        exit_code = EXIT_FAILED
    except (TelegramServerError, TelegramRetryAfter) as error:  # start-up calls, retries spent
        log.error(
            "the Bot API at %s kept failing at start-up (%s: %s); exiting with code %d",
            settings.telegram_api_base,
            type(error).__name__,
            error.message,
            EXIT_FAILED,
        )
        exit_code = EXIT_FAILED
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        processor.stop_retrying()
        if not await processor.drain(settings.shutdown_grace_seconds):
            log.warning("grace period over; unfinished updates stay in the inbox for next start")
            await processor.cancel()
        for job in reversed(jobs):  # the senders last: what was committed goes out first
            await job.stop(settings.shutdown_grace_seconds)
        await dispatcher.emit_shutdown(bot=bot)
        if status is not None:
            await status.stop()
        await bot.session.close()
        await db.close()
    log.info("stopped")
    return exit_code


def _intake(
    settings: Settings,
    processor: UpdateProcessor,
    repo: Repositories,
    allowed_updates: list[str],
    metrics: Metrics,
) -> DurablePolling | WebhookIntake:
    if settings.webhook:
        return WebhookIntake(
            processor.bot,
            processor,
            repo.inbox,
            url=settings.webhook_url or "",
            secret=settings.webhook_secret_value(),
            host=settings.webhook_host,
            port=settings.webhook_port,
            path=settings.webhook_listen_path(),
            allowed_updates=allowed_updates,
            on_error=metrics.count_error,
        )
    return DurablePolling(
        processor.bot,
        processor,
        repo.inbox,
        polling_timeout=settings.polling_timeout,
        allowed_updates=allowed_updates,
        on_error=metrics.count_error,
    )


async def _start_status(status: StatusServer) -> None:
    try:
        await status.start()
    except OSError as error:
        raise IntakeStopped(
            f"cannot listen for /healthz and /metrics on {status.host}:{status.port} "
            f"({error.strerror or error}); check METRICS_HOST and METRICS_PORT"
        ) from None
