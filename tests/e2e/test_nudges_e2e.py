"""The real process over HTTP with short delays: reminders come by themselves, their buttons
work, «Не напоминать» silences them, /start turns them back on."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from tests.e2e.harness import BotProcess, started_with_owner
from tests.kit.drivers import Person
from tests.kit.http_driver import HttpWorld
from tests.stories import start_the_lessons

pytestmark = pytest.mark.process

DELAYS = {
    "LESSON_NUDGE_AFTER": "3s",
    "DIAGNOSTIC_NUDGE_AFTER": "3s",
    "QUIET_HOURS": "",  # the test may run at night
}


def query(bot_process: BotProcess, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


async def reminders_seen(owner: Person) -> int:
    return sum(m.content.startswith("Вы остановились") for m in await owner.bot_messages())


async def test_reminders_from_the_real_process(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    bot_process.env.update(DELAYS)
    owner = await started_with_owner(bot_process, http_world, "Анна")
    await start_the_lessons(owner)
    reminder = await owner.expect("Вы остановились на уроке 1 из 4", timeout=15)
    await owner.click("Открыть урок 2", on=reminder)
    await owner.expect("Урок 2 из 4")
    await owner.expect("Вы остановились на уроке 2 из 4", timeout=15)

    await owner.click("🔕 Не напоминать")
    await owner.expect("больше не будем напоминать")
    assert query(bot_process, "SELECT count(*) FROM nudges WHERE user_id = ? AND "
                 "status = 'pending'", owner.id) == [(0,)]
    seen = await reminders_seen(owner)
    deadline = time.monotonic() + 8  # the second reminder was due 6 s after the first
    while time.monotonic() < deadline:
        assert await reminders_seen(owner) == seen
        await asyncio.sleep(0.5)

    await owner.send("/start")
    await owner.expect("Напоминания снова включены")
    await owner.send("/diagnostic")
    await owner.click("более 3, до 10 млн ₽")
    await owner.expect("Сколько лет")
    reminder = await owner.expect("Вы остановились на вопросе 2 из 5", timeout=15)
    await owner.click("Продолжить заявку", on=reminder)
    await owner.expect("Сколько лет")
    sent = query(bot_process, "SELECT kind, seq FROM nudges WHERE user_id = ? AND "
                 "status = 'sent' ORDER BY id", owner.id)
    assert sent == [("lesson", 1), ("lesson", 1), ("diagnostic", 1)]
    assert "ERROR" not in bot_process.log()
