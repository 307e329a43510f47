"""/privacy shows what is stored; /delete_me erases every trace of the owner's personal data."""

from __future__ import annotations

from bot.config import Settings
from bot.db.repos import Repositories
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.stories import answer_until_review, send_the_request


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


async def test_privacy_lists_what_is_stored_with_the_policy_link(owner: Person) -> None:
    await send_the_request(owner)
    await owner.send("/privacy")
    reply = await owner.expect("Ваши данные")
    assert "https://example.com/privacy" in reply.content
    assert "телефон" in reply.content and "заявка на диагностику" in reply.content


async def _fsm_holds_answers(repo: Repositories, user_id: int) -> bool:
    rows = await repo.db.fetchall("SELECT data FROM fsm WHERE user_id = ?", (user_id,))
    keys = ("name", "company", "phone", "segments", "turnover")
    return any(any(f'"{key}"' in row[0] for key in keys) for row in rows)


async def test_privacy_after_a_submit_lists_no_unfinished_draft(
    owner: Person, repo: Repositories
) -> None:
    """The request went out: no «unfinished draft» any more. A copy of the answers is
    listed exactly when the conversation state still holds one."""
    await send_the_request(owner)
    await owner.send("/privacy")
    reply = (await owner.expect("Ваши данные")).content
    assert "незаконченной заявки" not in reply
    assert ("копия ответов отправленной заявки" in reply) == await _fsm_holds_answers(
        repo, owner.id
    )
    assert "заявка на диагностику: имя, компания, должность, телефон, удобное время звонка, "\
        "ответы анкеты;" in reply


async def test_privacy_lists_an_unfinished_draft_and_only_the_fields_that_exist(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Анна")  # no last name, no username in her profile
    await answer_until_review(owner)
    await owner.send("/privacy")
    reply = (await owner.expect("Ваши данные")).content
    assert "черновик ответов незаконченной заявки" in reply
    assert "из профиля Telegram: имя, язык интерфейса; дата первого визита" in reply
    assert "заявка на диагностику" not in reply and "ник" not in reply
    assert "записи о решениях по согласию на обработку данных: 1" in reply


async def test_privacy_names_what_consultants_added_to_the_request(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Анна", username="anna_owner")
    await send_the_request(owner)
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    await repo.pipeline.add_note(lead.id, 7, "Консультант", "перезвонить")
    await owner.send("/privacy")
    reply = (await owner.expect("Ваши данные")).content
    assert "из профиля Telegram: имя, ник, язык интерфейса;" in reply
    assert "ответы анкеты, заметки консультантов;" in reply
    assert "история статусов" not in reply and "причина отказа" not in reply


async def test_delete_me_says_what_may_remain_and_for_how_long(
    owner: Person, settings: Settings
) -> None:
    await owner.send("/delete_me")
    confirm = (await owner.expect("Удалить ваши данные?")).content
    assert "заменит пометкой «заявка удалена»" in confirm
    assert "файлы выгрузки /export" in confirm and "заблокировавшего бота" in confirm
    assert "резервные копии" not in confirm  # no backups are made with these settings
    assert settings.backup_dir is None


async def test_delete_me_erases_all_personal_data_after_confirmation(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Анна", username="anna_owner")
    bystander = await world.user("Борис")
    await bystander.send("/start")
    await send_the_request(owner)
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


async def test_delete_me_can_be_declined(owner: Person, repo: Repositories) -> None:
    await owner.send("/start")
    await owner.send("/delete_me")
    await owner.click("Нет, оставить")
    await owner.expect("ничего не удаляем")
    assert await repo.users.get(owner.id) is not None


async def test_after_delete_me_a_half_filled_request_is_not_brought_back(
    owner: Person,
) -> None:
    await answer_until_review(owner)  # not sent: a draft with a phone in it
    await owner.send("/delete_me")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")

    await owner.send("/diagnostic")
    question = await owner.expect("Какой у компании оборот")
    assert "+7 916" not in question.content and "Ромашка" not in question.content


async def test_erasure_leaves_no_copy_in_others_failed_updates_or_in_thanks_sent(
    owner: Person, repo: Repositories
) -> None:
    """A consultant's update that failed keeps its payload for days — and a button pressed
    under a card carries the card; a thank-you sent to the referrer names the friend."""
    await send_the_request(owner)
    quoting = (
        '{"callback_query": {"from": {"id": 5}, "message": {"text": "Имя: Анна, ООО «Ромашка»"}}}'
    )
    unrelated = '{"message": {"from": {"id": 5}, "text": "/leads"}}'
    await repo.inbox.store([(9001, quoting), (9002, unrelated)], {9001: "boom", 9002: "boom"})
    await repo.db.write(
        "INSERT INTO outbox (kind, dedup_key, chat_id, payload, status, next_attempt_at, "
        "created_at) VALUES ('referrer_thanks', ?, 5, ?, 'sent', 0, 0)",
        (f"thanks:5:{owner.id}", '{"friend_name": "Анна"}'),
    )

    await owner.send("/delete_me")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")

    rows = await repo.db.fetchall(
        "SELECT update_id, payload FROM inbox WHERE update_id IN (9001, 9002)"
    )
    payloads = {row[0]: row[1] for row in rows}
    assert payloads == {9001: "", 9002: unrelated}
    assert await repo.db.fetchval(
        "SELECT count(*) FROM outbox WHERE kind = 'referrer_thanks'"
    ) == 0
