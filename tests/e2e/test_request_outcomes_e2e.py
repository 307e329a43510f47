"""The real process over HTTP: every outcome of a diagnostic request lands in the database as
designed — not qualified, consent declined, a double «Отправить», a second request, and
/delete_me leaving no personal data behind."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.harness import BotProcess
from tests.kit.http_driver import HttpWorld
from tests.stories import (
    answer_qualification,
    answer_until_consent,
    answer_until_review,
    submit_button,
    update_the_request,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.process


def query(bot_process: BotProcess, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


async def _no_trace_of(bot_process: BotProcess, user_id: int) -> bool:
    return str(user_id) not in dump(bot_process)


def dump(bot_process: BotProcess) -> str:
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            " | ".join(map(str, row))
            for table in tables
            if not table.startswith("sqlite_")
            for row in conn.execute(f"SELECT * FROM {table}")
        )


async def test_outcomes_of_requests_through_the_real_process(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    await bot_process.start()

    small = await http_world.user("Пётр")
    await answer_qualification(small, "от 1 до 3 млн ₽", "более 5, до 10 лет")
    await small.expect("проводится для компаний, у которых")
    assert query(bot_process, "SELECT status, qualified, phone FROM leads WHERE user_id = ?", small.id) == [
        ("unqualified", 0, None)
    ]

    shy = await http_world.user("Роман")
    await answer_until_consent(shy)
    await shy.click("Не даю согласия")
    await shy.expect("Без согласия мы не запрашиваем")
    assert query(bot_process, "SELECT count(*) FROM leads WHERE user_id = ?", shy.id) == [(0,)]
    assert query(bot_process, "SELECT decision FROM consents WHERE user_id = ?", shy.id) == [("declined",)]

    anna = await http_world.user("Анна", username="anna_e2e")
    await answer_until_review(anna)
    review, submit = await submit_button(anna)
    await anna.click_data(review, submit)
    await anna.click_data(review, submit)  # a double tap
    await anna.expect("Заявка принята")
    await anna.expect("Предварительный чек-лист")
    assert query(bot_process, "SELECT count(*), max(submissions) FROM leads WHERE user_id = ?", anna.id) == [(1, 1)]

    await update_the_request(anna, "более 50 млн ₽", "опт", "+7 916 765-43-21")
    assert query(
        bot_process, "SELECT count(*), max(submissions), max(is_returning), max(phone) FROM leads WHERE user_id = ?", anna.id
    ) == [(1, 2, 1, "+79167654321")]

    await anna.send("/delete_me")
    await anna.expect("Удалить ваши данные?")
    await anna.click("Да, удалить всё")
    await anna.expect("удалены")
    # The farewell is journaled after Telegram took it; the update ends right after that.
    await wait_until(lambda: _no_trace_of(bot_process, anna.id), timeout=10,
                     what="the erasure to finish")
    everything = dump(bot_process)
    for trace in (str(anna.id), "anna_e2e", "+79167654321", "+79161234567", "Ромашка"):
        assert trace not in everything, [line for line in everything.splitlines() if trace in line]
    assert "Пётр" in everything  # other owners keep their data
    assert "Traceback" not in bot_process.log()
