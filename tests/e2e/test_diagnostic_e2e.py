"""The real bot process over HTTP: a diagnostic request survives kill -9 between any two steps."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable

import pytest

from bot.content import Content
from tests.e2e.harness import BOT_ID, BotProcess, started_with_owner
from tests.kit import EmulatorClient
from tests.kit.drivers import Person
from tests.kit.http_driver import HttpWorld
from tests.stories import greeted

pytestmark = pytest.mark.process

Step = Callable[[Person], Awaitable[object]]


def journey() -> list[tuple[str, Step]]:
    """(what the bot asks next, the owner's action) for a whole qualified request."""
    return [
        ("Какой у компании оборот", lambda o: o.send("/diagnostic")),
        ("Сколько лет", lambda o: o.click("более 10, до 50 млн ₽")),
        ("тип отдела продаж", lambda o: o.click("более 10 лет")),
        ("приводит в компанию лидов", lambda o: o.click("Смешанный: помогает с лидами")),
        ("сегментов целевой аудитории", lambda o: o.click("И маркетинг, и продажи")),
        ("назовёте", lambda o: o.click("2")),
        ("долю выручки", lambda o: o.send("розница")),
        ("назовёте", lambda o: o.send("70")),
        ("долю выручки", lambda o: o.send("дилеры")),
        ("стратегическим", lambda o: o.send("30")),
        ("Согласие на обработку", lambda o: o.click("⭐️ дилеры")),
        ("Как к вам обращаться", lambda o: o.click("Даю согласие")),
        ("Как называется ваша компания", lambda o: o.send("Анна")),
        ("Ваша должность", lambda o: o.send("ООО «Ромашка»")),
        ("Ваш телефон", lambda o: o.send("коммерческий директор")),
        ("Когда вам удобно", lambda o: o.share_contact("+79161234567")),
        ("Проверьте заявку", lambda o: o.click("Днём, 12–17")),
        ("Заявка принята", lambda o: o.click("✅ Отправить")),
    ]


async def submit_request(person: Person, phone: str = "contact") -> None:
    """The whole diagnostic request; the phone shared as a contact, or typed as `phone`."""
    for expected, action in journey():
        if expected == "Когда вам удобно" and phone != "contact":
            await person.send(phone)
        else:
            await action(person)
        await person.expect(expected)
    await person.expect("Предварительный чек-лист")


def lead_rows(bot_process: BotProcess) -> list[tuple]:
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as conn:
        return conn.execute(
            "SELECT status, name, company, position, phone, call_time, answers FROM leads"
        ).fetchall()


async def test_qualified_owner_gets_a_stored_lead_through_the_real_process(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    owner = await started_with_owner(bot_process, http_world, "Анна")
    await submit_request(owner)
    [(status, name, company, position, phone, call_time, answers)] = lead_rows(bot_process)
    assert (status, name, company, position, phone, call_time) == (
        "new",
        "Анна",
        "ООО «Ромашка»",
        "коммерческий директор",
        "+79161234567",
        "Днём, 12–17",
    )
    assert '"strategic":1' in answers and '"share":70' in answers


async def test_the_real_process_survives_answers_with_every_optional_field(
    http_world: HttpWorld, bot_process: BotProcess, client: EmulatorClient
) -> None:
    """Issue 12: the emulator answers like a Telegram that echoes link_preview_options and
    every other optional field (and one no Bot API has yet); the start-up calls, the greeting
    and the whole request still go through."""
    await client.bot(BOT_ID).settings(response_enrichment={"seed": 3, "optional_share": 0.5})
    owner = await started_with_owner(bot_process, http_world, "Анна")
    await greeted(owner)
    await submit_request(owner)
    apology = Content().render("messages/error.html")
    assert apology not in [message.content for message in await owner.bot_messages()]
    assert len(lead_rows(bot_process)) == 1


@pytest.mark.timeout(400)  # 18 restarts; importing aiogram alone takes ~3 s per process start
async def test_kill_9_between_any_two_steps_resumes_at_the_same_step(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    owner = await started_with_owner(bot_process, http_world, "Анна")
    for expected, action in journey():
        await action(owner)
        await owner.expect(expected)
        await bot_process.kill()
        await bot_process.start()
    await owner.expect("Предварительный чек-лист")
    rows = lead_rows(bot_process)
    assert len(rows) == 1
    status, name, company, _position, phone, _call_time, answers = rows[0]
    assert (status, name, company, phone) == ("new", "Анна", "ООО «Ромашка»", "+79161234567")
    assert '"name":"розница","share":70' in answers and '"name":"дилеры","share":30' in answers
    assert "Traceback" not in bot_process.log()
