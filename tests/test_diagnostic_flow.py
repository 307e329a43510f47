"""Owners request the diagnostic: qualification, segments, consent, contacts, review, submit."""

from __future__ import annotations

import pytest

from bot.db.repos import Repositories
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.stories import (
    answer_from_the_name_to_the_review,
    answer_qualification,
    answer_until_consent,
    answer_until_dept_type,
    answer_until_review,
    answer_until_segments,
    give_consent,
    send_the_request,
    submit_button,
    update_the_request,
)


async def test_qualified_owner_goes_from_start_to_a_stored_lead(
    owner: Person, repo: Repositories
) -> None:
    await owner.send("/start")
    await owner.click("Записаться на диагностику")
    await owner.expect("Бесплатная диагностика")
    await owner.expect("Какой у компании оборот")
    await owner.click("более 3, до 10 млн ₽")
    await owner.click("более 5, до 10 лет")
    await owner.click("Продаёт лидам от маркетинга")
    await owner.click("Маркетинг")
    await owner.click("2")
    await owner.send("розница")
    await owner.send("60")
    await owner.send("дилеры")
    await owner.click("Пропустить")
    await owner.click("⭐️ дилеры")
    await owner.click("Даю согласие")
    review = await answer_from_the_name_to_the_review(
        owner, "Анна", "ООО «Ромашка»", "8 (916) 123-45-67", position=None
    )
    assert "розница — 60%" in review.content and "дилеры ⭐️" in review.content
    await owner.click("✅ Отправить")
    await owner.expect("Заявка принята")
    checklist = await owner.expect("Предварительный чек-лист")
    assert "«дилеры»" in checklist.content

    lead = await repo.leads.for_user(owner.id)
    assert lead is not None
    assert (lead.status, lead.qualified, lead.phone) == ("new", True, "+79161234567")
    assert (lead.name, lead.company, lead.position) == ("Анна", "ООО «Ромашка»", None)
    assert lead.call_time == "Утром, 9–12"
    assert lead.answers == {
        "turnover": "3_10",
        "years": "5_10",
        "dept_type": 1,
        "lead_source": "marketing",
        "segments": [{"name": "розница", "share": 60}, {"name": "дилеры", "share": None}],
        "strategic": 1,
    }
    assert "✅" in lead.qualification and "❌" not in lead.qualification
    assert lead.consent_id is not None
    consent = await repo.consents.latest(owner.id)
    assert consent is not None and consent[1] == "granted" and len(consent[2]) == 16
    outbox = await repo.db.fetchall("SELECT kind, lead_id FROM outbox")
    assert [tuple(row) for row in outbox] == [("lead_card", lead.id)]


@pytest.mark.parametrize(
    ("turnover", "years", "reason"),
    [("от 1 до 3 млн ₽", "более 5, до 10 лет", "по обороту"), ("более 3, до 10 млн ₽", "от 1 до 3 лет", "по сроку работы")],
)
async def test_unqualified_owner_is_stored_as_such_and_gets_the_alternative(
    world: InProcessWorld, repo: Repositories, turnover: str, years: str, reason: str
) -> None:
    owner = await world.user("Пётр")
    await answer_qualification(owner, turnover, years)
    reply = await owner.expect("проводится для компаний, у которых")
    assert reason in reply.content and "/lessons" in reply.content
    # The conditions as the article words them, and no offer to answer the same questions
    # again: a mistaken answer is corrected explicitly.
    assert "Оборот компании — более 3 млн ₽ в месяц" in reply.content
    assert "Работа на рынке — более 3 лет" in reply.content
    assert "«✏️ Исправить ответ»" in reply.content
    assert "Записаться на диагностику" not in reply.content
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None and lead.status == "unqualified" and not lead.qualified
    assert lead.phone is None and lead.name is None
    assert await repo.db.fetchval("SELECT count(*) FROM outbox") == 0


async def test_declined_consent_stores_no_contact_data(
    world: InProcessWorld, repo: Repositories
) -> None:
    owner = await world.user("Роман")
    await answer_until_consent(owner)
    await owner.click("Не даю согласия")
    await owner.expect("Без согласия мы не запрашиваем")
    assert await repo.leads.for_user(owner.id) is None
    consent = await repo.consents.latest(owner.id)
    assert consent is not None and consent[1] == "declined"
    await owner.send("Роман, +79161234567")
    rows = await repo.db.fetchall("SELECT data FROM fsm WHERE user_id = ?", (owner.id,))
    assert all("+7916" not in row[0] and "Роман" not in row[0] for row in rows)
    await owner.click("Дать согласие")
    await owner.expect("Согласие на обработку")


async def test_editing_a_field_from_the_review_returns_to_the_review(
    owner: Person, repo: Repositories
) -> None:
    await answer_until_review(owner)
    await owner.click("✏️ Компания")
    await owner.expect("Как называется ваша компания")
    await owner.send("АО «Василёк»")
    review = await owner.expect("Проверьте заявку")
    assert "АО «Василёк»" in review.content and "Ромашка" not in review.content
    await owner.click("✏️ Сегменты")
    await owner.click("1")
    await owner.send("опт")  # one segment: no share to ask, no strategic pick
    review = await owner.expect("Проверьте заявку")
    assert "1. опт\n" in review.content and "дилеры" not in review.content
    assert "⭐️" not in review.content
    await owner.click("✅ Отправить")
    await owner.expect("Заявка принята")
    lead = await repo.leads.for_user(owner.id)
    assert lead is not None and lead.company == "АО «Василёк»"
    assert lead.answers["segments"] == [{"name": "опт", "share": None}]


async def test_double_submit_gives_one_lead(owner: Person, repo: Repositories) -> None:
    await answer_until_review(owner)
    review, submit = await submit_button(owner)
    await owner.click_data(review, submit)
    await owner.click_data(review, submit)
    answer = await owner.expect_answer()
    assert "уже отправлена" in (answer.get("text") or "")
    assert await repo.db.fetchval("SELECT count(*) FROM leads") == 1
    assert await repo.db.fetchval("SELECT count(*) FROM outbox") == 1


async def test_second_request_updates_the_open_lead_and_marks_it_returning(
    owner: Person, repo: Repositories
) -> None:
    await send_the_request(owner)
    first = await repo.leads.for_user(owner.id)
    await update_the_request(owner, "более 10, до 50 млн ₽", "B2B", "+7 916 765-43-21")
    assert await repo.db.fetchval("SELECT count(*) FROM leads") == 1
    second = await repo.leads.for_user(owner.id)
    assert first is not None and second is not None and second.id == first.id
    assert second.is_returning and second.submissions == 2
    assert second.phone == "+79167654321" and second.answers["turnover"] == "10_50"
    assert await repo.db.fetchval("SELECT count(*) FROM outbox WHERE kind = 'lead_card'") == 2


async def test_back_on_every_step_returns_to_the_previous_question(owner: Person) -> None:
    await answer_until_dept_type(owner)
    await owner.click("Назад")
    await owner.expect("Сколько лет")
    await owner.click("Назад")
    await owner.expect("Какой у компании оборот")
    await owner.click("Назад")
    menu = await owner.expect("отменено")  # back from the first question leaves the flow
    assert menu.button("Начать обучение") is not None


async def test_bad_input_at_each_step_is_re_asked_and_nothing_is_lost(
    owner: Person, repo: Repositories
) -> None:
    await answer_until_dept_type(owner)
    await owner.send("второй")  # text where a button is expected
    await owner.expect("выберите вариант кнопкой")
    await owner.send_media("sticker")
    await owner.expect("выберите вариант кнопкой")
    await owner.click("Смешанный: помогает с лидами")
    await owner.click("И маркетинг, и продажи")
    await owner.click("2")
    await owner.send("   ")
    await owner.expect("Ответ пустой")
    await owner.send("😀😀😀")
    await owner.expect("одних смайликов")
    await owner.send("x" * 41)
    await owner.expect("40 символов")
    await owner.send_media("voice")
    await owner.expect("Голосовые")
    await owner.send("<b>розница</b> & опт")
    await owner.send("150")
    await owner.expect("от 1 до 100")
    await owner.send("40")
    await owner.send("<b>Розница</b> & ОПТ")
    await owner.expect("уже есть")
    await owner.send("дилеры")
    await owner.click("Пропустить")
    await owner.click("⭐️ <b>розница</b> & опт")
    await owner.click("Даю согласие")
    await owner.send("Анна")
    await owner.send("Ромашка")
    await owner.click("Пропустить")
    await owner.send("12345")
    await owner.expect("распознать номер")
    await owner.send_media("photo")
    await owner.expect("Фото")
    await owner.send("+7 916 123 45 67")
    await owner.send("вторник после 15:00")
    review = await owner.expect("Проверьте заявку")
    assert "&lt;b&gt;розница&lt;/b&gt; &amp; опт — 40% ⭐️" in (review.html or "")
    data = await repo.fsm.get_data(next(iter(await _keys(repo, owner.id))))
    assert data["segments"][0] == {"name": "<b>розница</b> & опт", "share": 40}
    assert data["call_time"] == "вторник после 15:00"


async def _keys(repo: Repositories, user_id: int) -> list:
    from aiogram.fsm.storage.base import StorageKey

    rows = await repo.db.fetchall("SELECT chat_id FROM fsm WHERE user_id = ?", (user_id,))
    return [StorageKey(bot_id=123456789, chat_id=row[0], user_id=user_id) for row in rows]


async def test_someone_elses_contact_is_confirmed_first(
    owner: Person, repo: Repositories
) -> None:
    await give_consent(owner)
    await owner.send("Анна")
    await owner.send("Ромашка")
    await owner.click("Пропустить")
    await owner.share_contact("+79031112233", first_name="Секретарь", own=False)
    await owner.expect("не ваш аккаунт")
    await owner.click("Нет, введу другой")
    await owner.expect("Ваш телефон")
    await owner.share_contact("+79031112233", first_name="Секретарь", own=False)
    await owner.click("Да, этот номер")
    await owner.click("В любое время")
    review = await owner.expect("Проверьте заявку")
    assert "+79031112233" in review.content


async def test_deep_link_diag_opens_the_diagnostic(owner: Person) -> None:
    await owner.send("/start diag")
    await owner.expect("Какой у компании оборот")


async def test_diagnostic_command_resumes_an_unfinished_request(owner: Person) -> None:
    await answer_until_dept_type(owner)
    await owner.send("/lessons")
    await owner.expect("Урок 1 из 4")
    await owner.send("/diagnostic")
    await owner.expect("Продолжим заявку")
    await owner.expect("тип отдела продаж")


async def test_old_answer_button_does_not_answer_a_later_question(owner: Person) -> None:
    await owner.send("/diagnostic")
    question = await owner.expect("Какой у компании оборот")
    await owner.click("более 3, до 10 млн ₽")
    await owner.expect("Сколько лет")
    await owner.click_data(question, "dg:turnover:gt50")
    answer = await owner.expect_answer()
    assert answer.get("show_alert") is True


async def test_a_refused_answer_is_asked_again_without_thanking_for_it(
    owner: Person,
) -> None:
    await give_consent(owner)
    await owner.send("А" * 4620)
    again = await owner.expect("Слишком длинно")
    assert "Как к вам обращаться?" in again.content
    assert "Спасибо" not in again.content  # nothing to thank for: the answer was refused


async def test_the_consent_text_names_the_button_that_gives_it(world: InProcessWorld) -> None:
    owner = await world.user("Саша")
    await answer_until_segments(owner)
    await owner.click("1")
    await owner.send("розница")  # one segment: no share is asked
    consent = await owner.expect("Согласие на обработку")
    agree, decline = (button.text for button in consent.buttons[:2])
    assert (agree, decline) == ("Даю согласие", "Не даю согласия")  # fits everyone
    assert f"Кнопка «{agree}» означает ваше согласие" in consent.content


async def test_a_forwarded_message_or_one_made_by_another_bot_is_not_taken_as_an_answer(
    owner: Person, repo: Repositories
) -> None:
    await give_consent(owner)
    await owner.forward("Пётр Иванович")
    hint = await owner.expect("пересланное сообщение")
    assert "Как к вам обращаться" in hint.content
    await owner.send_via_bot("Пётр Иванович")
    assert "Как к вам обращаться" in (await owner.expect("пересланное")).content
    await owner.send("Анна")
    await owner.expect("Как называется ваша компания")
    data = await repo.fsm.get_data(await _key(repo, owner.id))
    assert data["name"] == "Анна"


async def _key(repo: Repositories, user_id: int):  # type: ignore[no-untyped-def]
    from aiogram.fsm.storage.base import StorageKey

    row = await repo.db.fetchone("SELECT key FROM fsm WHERE user_id = ?", (user_id,))
    assert row is not None
    bot_id = int(row[0].split(":")[1])
    return StorageKey(bot_id=bot_id, chat_id=user_id, user_id=user_id)


async def test_one_segment_is_not_asked_its_share_and_shares_never_exceed_100(
    owner: Person, repo: Repositories
) -> None:
    await answer_until_segments(owner)
    await owner.click("3")
    await owner.send("розница")
    await owner.send("70")
    await owner.send("дилеры")
    share = await owner.expect("долю выручки")
    assert "не больше 30" in share.content
    await owner.send("40")  # 70 + 40 > 100
    again = await owner.expect("больше 100%")
    assert "долю выручки" in again.content and "«дилеры»" in again.content
    await owner.send("30")
    await owner.send("опт")
    last = await owner.expect("уже составляют 100%")
    assert "«опт»" in last.content
    await owner.send("5")  # nothing is left for it
    await owner.expect("больше 100%")
    await owner.click("Пропустить")
    await owner.expect("стратегическим")
    draft = await repo.fsm.get_data(await _key(repo, owner.id))
    assert [s.get("share") for s in draft["segments"]] == [70, 30, None]
