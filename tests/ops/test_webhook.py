"""Webhook intake in process: 200 only after the inbox commit, 401 without the secret, 400 for
what is not an update, duplicates ignored; start resumes the inbox and sets the webhook."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message

from bot.db import Database
from bot.db.inbox import InboxRepo
from bot.emulator import Emulator
from bot.ops.webhook import SECRET_HEADER, WebhookIntake
from bot.runner import UpdateProcessor
from tests.conftest import TEST_TOKEN, bare_processor
from tests.kit import EmulatorSession
from tests.ops.conftest import free_port

SECRET = "s3cret_webhook-token"
PATH = "/tg/hook"


def update(update_id: int, text: str, chat_id: int = 501) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Анна"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Анна"},
            "text": text,
        },
    }


@dataclass
class Rig:
    intake: WebhookIntake
    processor: UpdateProcessor
    inbox: InboxRepo
    db_path: Path
    emulator: Emulator
    handled: asyncio.Queue[str]
    seen: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.intake.port}{PATH}"

    async def post(
        self, body: bytes | dict[str, Any], *, secret: str | None = SECRET
    ) -> int:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=data, headers=headers) as response,
        ):
            return response.status

    async def handled_in_full(self, text: str) -> None:
        """The next update the bot handles is the message `text`, and its processing ends."""
        assert await asyncio.wait_for(self.handled.get(), 5) == text
        assert await self.processor.drain(5)

    def rows(self) -> list[tuple[int, str]]:
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute("SELECT update_id, status FROM inbox ORDER BY update_id").fetchall()


def recording_dispatcher(seen: list[str], handled: asyncio.Queue[str]) -> Dispatcher:
    router = Router()

    @router.message()
    async def record(message: Message) -> None:
        seen.append(message.text or "")
        await handled.put(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


@pytest.fixture
async def stopped_rig(db: Database, db_path: Path) -> AsyncIterator[Rig]:
    """The intake and its processor, not listening yet."""
    emulator = Emulator()
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emulator))
    seen: list[str] = []
    handled: asyncio.Queue[str] = asyncio.Queue()
    inbox = InboxRepo(db)
    processor = bare_processor(bot, recording_dispatcher(seen, handled), db)
    errors: list[str] = []
    intake = WebhookIntake(
        bot, processor, inbox,
        url="http://127.0.0.1:1/placeholder", secret=SECRET,
        host="127.0.0.1", port=0, path=PATH, allowed_updates=["message"],
        on_error=errors.append,
    )
    rig = Rig(intake, processor, inbox, db_path, emulator, handled, seen, errors)
    try:
        yield rig
    finally:
        intake.stop()
        await intake.close()
        await processor.drain(5)
        await emulator.aclose()
        await bot.session.close()


@pytest.fixture
async def rig(stopped_rig: Rig) -> Rig:
    """The intake listening for Telegram's posts."""
    await stopped_rig.intake.serve()
    return stopped_rig


async def test_an_update_is_answered_200_only_once_committed_then_handled(rig: Rig) -> None:
    assert await rig.post(update(1, "привет")) == 200
    # The 200 came after the commit: the row is in the database file already.
    assert [update_id for update_id, _ in rig.rows()] == [1]
    await rig.handled_in_full("привет")
    assert rig.rows() == [(1, "done")]


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.upper()])
async def test_a_missing_or_wrong_secret_is_401_and_runs_nothing(
    rig: Rig, secret: str | None
) -> None:
    assert await rig.post(update(1, "взлом"), secret=secret) == 401
    assert rig.processor.in_flight == 0
    assert rig.rows() == []
    assert rig.seen == []
    assert rig.errors == ["webhook:unauthorized"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b"[]",
        b'"update"',
        json.dumps({"message": update(1, "x")["message"]}).encode(),
        json.dumps({"update_id": "7"}).encode(),
        json.dumps({"update_id": True}).encode(),
    ],
)
async def test_a_body_that_is_not_an_update_is_400(rig: Rig, body: bytes) -> None:
    assert await rig.post(body) == 400
    assert rig.rows() == []
    assert rig.processor.in_flight == 0
    assert rig.seen == []


async def test_a_duplicate_update_is_acknowledged_and_ignored(rig: Rig) -> None:
    assert await rig.post(update(5, "раз")) == 200
    await rig.handled_in_full("раз")
    assert await rig.post(update(5, "раз")) == 200  # Telegram did not get our first 200
    assert rig.processor.in_flight == 0
    assert rig.seen == ["раз"]
    assert rig.rows() == [(5, "done")]


async def test_a_failed_commit_is_not_acknowledged_and_the_redelivery_is_handled_once(
    rig: Rig,
) -> None:
    with sqlite3.connect(rig.db_path) as conn:
        conn.execute(
            "CREATE TRIGGER inbox_broken BEFORE INSERT ON inbox "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    status = await rig.post(update(7, "заявка"))
    assert status == 500
    assert rig.rows() == []
    assert rig.processor.in_flight == 0 and rig.seen == []
    assert rig.errors == ["webhook:store_failed"]

    with sqlite3.connect(rig.db_path) as conn:
        conn.execute("DROP TRIGGER inbox_broken")
    assert await rig.post(update(7, "заявка")) == 200  # Telegram delivers it again
    await rig.handled_in_full("заявка")
    assert rig.seen == ["заявка"]
    assert rig.rows() == [(7, "done")]


async def test_an_update_aiogram_cannot_read_is_acknowledged_and_kept_as_failed(
    rig: Rig,
) -> None:
    broken = {"update_id": 9, "message": {"message_id": "nine", "chat": "?"}}
    assert await rig.post(broken) == 200
    assert rig.rows() == [(9, "failed")]
    assert rig.seen == [] and rig.processor.in_flight == 0
    assert rig.errors == ["webhook:unparseable"]


async def test_start_resumes_the_inbox_first_sets_the_webhook_and_stop_keeps_it(
    stopped_rig: Rig,
) -> None:
    rig = stopped_rig  # it starts below, as the service starts it
    telegram = rig.emulator.world(TEST_TOKEN)
    anna = telegram.add_user(first_name="Анна", started=True)
    # Delivered to a previous run, which stored it and died before processing it.
    telegram.send_text(anna.id, "до рестарта")
    [old] = telegram.take_all_updates()
    await rig.inbox.store([(old["update_id"], json.dumps(old))])

    # Telegram queued a message meanwhile; it is delivered once the webhook is set.
    telegram.send_text(anna.id, "после рестарта")
    port = free_port()  # the address the emulator posts to must be known before start
    rig.intake.port, rig.intake.url = port, f"http://127.0.0.1:{port}{PATH}"

    task = asyncio.create_task(rig.intake.run())
    first = await asyncio.wait_for(rig.handled.get(), 10)
    second = await asyncio.wait_for(rig.handled.get(), 10)
    assert [first, second] == ["до рестарта", "после рестарта"]

    [call] = telegram.calls("setWebhook")
    assert call.params["url"] == rig.intake.url
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message"]
    assert not call.params.get("drop_pending_updates")

    rig.intake.stop()
    await asyncio.wait_for(task, 10)
    assert telegram.webhook.url == rig.intake.url  # Telegram keeps queueing while we are down
    assert telegram.calls("deleteWebhook") == []
    assert rig.intake.alive is False
