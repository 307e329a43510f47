"""The bot process: open the database, build bot and dispatcher, poll durably, stop cleanly.

Next to polling run the outbox sender (posts to the consultants' group) and the SLA watcher;
both stop after the last update in flight, and whatever they did not send stays pending.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from bot.app import configure_bot, create_bot, create_dispatcher
from bot.config import Settings
from bot.content import Content
from bot.db import Database
from bot.db.repos import Repositories
from bot.group.access import Consultants
from bot.group.menu import configure_group_menu
from bot.outbox import OutboxSender, SlaWatcher
from bot.runner import DurablePolling, IntakeStopped, UpdateProcessor

log = logging.getLogger(__name__)


async def run_service(settings: Settings, content_dir: Path | None = None) -> int:
    """Run until SIGTERM/SIGINT; return the process exit code."""
    db = await Database(settings.database_path).connect()
    repo = Repositories.create(db)
    content = Content(content_dir) if content_dir else Content()
    bot = create_bot(settings, journal=repo.journal)
    sender = OutboxSender(bot, repo, content, settings)
    sla = SlaWatcher(repo, settings, sender.wakeup)
    consultants = Consultants(settings, repo.kv)
    dispatcher = create_dispatcher(
        settings, repo=repo, content=content,
        consultants=consultants, outbox_wakeup=sender.wakeup,
    )
    processor = UpdateProcessor(
        bot, dispatcher, repo.inbox, max_concurrency=settings.max_concurrent_updates,
        journal=repo.journal,
    )
    polling = DurablePolling(
        bot,
        processor,
        repo.inbox,
        polling_timeout=settings.polling_timeout,
        allowed_updates=dispatcher.resolve_used_update_types(),
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, polling.stop)
    exit_code = 0
    try:
        me = await bot.get_me()
        log.info("bot @%s (id %d) starting; database %s", me.username, me.id, settings.database_path)
        await configure_bot(bot, content)
        await configure_group_menu(bot, content, consultants.binding)
        await repo.inbox.prune(settings.inbox_retention_days * 86400)
        await repo.journal.prune(settings.inbox_retention_days * 86400)
        await dispatcher.emit_startup(bot=bot)
        sender.start()
        sla.start()
        await polling.run()
        log.info("stopping: finishing %d update(s) in flight", processor.in_flight)
    except IntakeStopped as error:
        log.error("%s", error)
        exit_code = 3
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if not await processor.drain(settings.shutdown_grace_seconds):
            log.warning("grace period over; unfinished updates stay in the inbox for next start")
            await processor.cancel()
        await sla.stop()
        await sender.stop(settings.shutdown_grace_seconds)
        await dispatcher.emit_shutdown(bot=bot)
        await bot.session.close()
        await db.close()
    log.info("stopped")
    return exit_code
