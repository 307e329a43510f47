"""/privacy shows what is stored; /delete_me erases every trace of the owner's personal data."""

from __future__ import annotations

import datetime as dt

from bot.db.repos import Repositories
from bot.emulator.inprocess_driver import InProcessWorld
from tests.test_diagnostic_flow import answer_until_review


async def _all_rows_text(repo: Repositories) -> str:
    tables = [
        row[0]
        for row in await repo.db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    dump = []
    for table in tables:
        for row in await repo.db.fetchall(f"SELECT * FROM {table}"):
            dump.append(f"{table}: " + " | ".join(str(value) for value in tuple(row)))
    return "\n".join(dump)


async def test_privacy_lists_what_is_stored_with_the_policy_link(world: InProcessWorld) -> None:
    owner = await world.user("Анна")
    await answer_until_review(owner)
    await owner.click("✅ Отправить")
    await owner.send("/privacy")
    reply = await owner.expect("Ваши данные")
    assert "https://example.com/privacy" in reply.content
    assert "телефон" in reply.content and "заявка на диагностику" in reply.content


async def test_privacy_shows_the_first_visit_date_in_the_timezone_of_the_cards(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Анна")
    await owner.send("/start")
    # 25.11.2026 22:30 UTC is already 26.11.2026 01:30 in Moscow (the default TIMEZONE).
    late_evening_utc = dt.datetime(2026, 11, 25, 22, 30, tzinfo=dt.UTC).timestamp()
    await repo.db.write("UPDATE users SET first_seen = ? WHERE id = ?", (late_evening_utc, owner.id))
    await owner.send("/privacy")
    reply = await owner.expect("Ваши данные")
    assert "дата первого визита — 26.11.2026" in reply.content


async def test_delete_me_erases_all_personal_data_after_confirmation(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Анна", username="anna_owner")
    bystander = await world.user("Борис")
    await bystander.send("/start")
    await answer_until_review(owner)
    await owner.click("✅ Отправить")
    await owner.expect("Заявка принята")
    before = await _all_rows_text(repo)
    assert "+79161234567" in before and "Ромашка" in before

    await owner.send("/delete_me")
    await owner.expect("Удалить ваши данные?")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")

    after = await _all_rows_text(repo)
    for trace in (
        "+79161234567",
        "9161234567",
        "Ромашка",
        "anna_owner",
        "генеральный директор",
        "розница",
    ):
        assert trace not in after, trace
    assert str(owner.id) not in after  # no row keyed by the owner
    assert "Борис" in after  # other people's data stays


async def test_delete_me_can_be_declined(world: InProcessWorld, repo: Repositories) -> None:
    owner = await world.user("Анна")
    await owner.send("/start")
    await owner.send("/delete_me")
    await owner.click("Нет, оставить")
    await owner.expect("ничего не удаляем")
    assert await repo.users.get(owner.id) is not None


async def test_after_delete_me_a_half_filled_request_is_not_brought_back(
    world: InProcessWorld,
) -> None:
    owner = await world.user("Анна")
    await answer_until_review(owner)  # not sent: a draft with a phone in it
    await owner.send("/delete_me")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")

    await owner.send("/diagnostic")
    question = await owner.expect("Какой у компании оборот")
    assert "+7 916" not in question.content and "Ромашка" not in question.content
