"""Story: every qualified lead reaches the consultants' group as one card, quickly."""

from __future__ import annotations

from pathlib import Path

from bot.db.leads import LeadDraft, Notification
from bot.telegram_html import MESSAGE_LIMIT, parse
from tests.consultants.office import Office, fill_in_a_request, open_office

HOSTILE = '<b>Рога & Копыта</b> "Ltd"; =HYPERLINK("http://evil","x")\nвторая строка'


async def test_a_submitted_lead_appears_once_in_the_group_with_claim_and_refusal_buttons(
    office: Office,
) -> None:
    lead = await office.submit()

    card = await office.card(lead.id)
    await office.idle()

    assert [b.text for b in card.buttons] == ["✋ Взять в работу", "✖️ Отказ"]
    assert card.buttons[0].callback_data == f"gc:{lead.id}:c"
    assert len(office.cards(lead.id)) == 1
    assert office.group_bot_messages() == [card]


async def test_the_card_shows_contacts_qualification_and_the_strategic_segment(
    office: Office,
) -> None:
    office.telegram.add_user(user_id=office.owner_id, first_name="Ольга", username="olga_owner")
    await office.repo.users.seen(office.owner_id, "Ольга", None, "olga_owner")
    lead = await office.submit(source="src_vk__spring26")

    text = (await office.card(lead.id)).content

    assert "Новая заявка №1" in text
    assert "Ольга Владелец" in text and "ООО «Ромашка»" in text and "Директор" in text
    assert "+79991234567" in text  # E.164 as text: Telegram makes it tappable
    assert "@olga_owner" in text
    assert "Утром, 9–12" in text
    assert "Оборот: более 3, до 10 млн ₽ ✅" in text and "более 5, до 10 лет ✅" in text
    assert "Сам привлекает и продаёт" in text and "Отдел продаж" in text
    assert "1. Опт — 60%\n2. Розница — 40% ⭐️ стратегический по мнению владельца" in text
    assert "src_vk__spring26" in text
    assert "Статус: новая" in text


async def test_created_time_is_shown_in_moscow_time(db_path: Path) -> None:
    async with open_office(db_path, timezone="Europe/Moscow") as office:
        lead = await office.submit()
        await office.db.write("UPDATE leads SET created_at = 1767225600 WHERE id = ?", (lead.id,))
        lead = await office.repo.leads.get(lead.id)
        assert lead is not None
        from bot.group.views.card import CardExtras, card_text

        text = card_text(lead, CardExtras(), office.content, office.settings)
        assert "Создана:</b> 01.01.2026 03:00" in text  # 00:00 UTC is 03:00 in Moscow


async def test_hostile_answers_are_shown_literally_never_as_markup(office: Office) -> None:
    segments = [{"name": "<i>Опт</i> & co", "share": 50}, {"name": "=1+1", "share": 50}]
    lead = await office.submit(
        name=HOSTILE, company="<script>alert(1)</script>", position='"; DROP TABLE leads;--',
        answers={"turnover": "3_10", "years": "5_10", "dept_type": 1, "lead_source": "both",
                 "segments": segments, "strategic": 0},
    )

    card = await office.card(lead.id)

    assert HOSTILE in card.content
    assert "<script>alert(1)</script>" in card.content
    assert "<i>Опт</i> & co — 50% ⭐️ стратегический" in card.content
    entity_types = {entity["type"] for entity in parse(card.html or "").entities}
    assert entity_types <= {"bold"}  # only the template's own labels are bold
    assert "&lt;b&gt;" in (card.html or "")


async def test_a_very_long_answer_is_trimmed_and_the_card_fits_one_message(
    office: Office,
) -> None:
    long_segments = [{"name": "Сегмент " + "ы" * 900, "share": 20} for _ in range(5)]
    lead = await office.submit(
        company="Компания " + "я" * 2000, position="Д" * 1500,
        answers={"turnover": "gt50", "years": "gt10", "dept_type": 3, "lead_source": "both",
                 "segments": long_segments, "strategic": 4},
    )

    card = await office.card(lead.id)

    assert len(card.content) <= MESSAGE_LIMIT
    assert "…" in card.content
    assert "⭐️ стратегический" in card.content
    full = "\n".join(m.content for m in await _lead_command(office, lead.id))
    assert "я" * 2000 in full  # /lead N shows everything


async def _lead_command(office: Office, lead_id: int) -> list:
    before = len(office.group_bot_messages())
    await office.anna.send(f"/lead {lead_id}")
    return office.group_bot_messages()[before:]


async def test_a_returning_owner_updates_the_same_card_and_the_group_is_told(
    office: Office,
) -> None:
    lead = await office.submit(company="Старое название")
    first = await office.card(lead.id)

    again = await office.submit(draft="d2", company="Новое название")
    await office.idle()

    assert again.submissions == 2
    card = await office.card(lead.id)
    assert card.message_id == first.message_id
    assert "Новое название" in card.content and "2-я подача" in card.content
    notices = [m for m in office.group_bot_messages() if "Владелец обновил заявку №1" in m.content]
    assert len(notices) == 1 and notices[0].reply_to_message_id == card.message_id
    assert len(office.cards(lead.id)) == 1


async def test_the_same_draft_submitted_twice_still_gives_one_card(office: Office) -> None:
    lead = await office.submit()
    await office.submit()  # a double tap: same draft id
    await office.card(lead.id)
    await office.idle()

    assert len(office.cards(lead.id)) == 1


async def test_cards_go_to_the_configured_forum_topic(db_path: Path) -> None:
    async with open_office(db_path, is_forum=True, thread_id=77) as office:
        lead = await office.submit()

        card = await office.card(lead.id)

        assert card.thread_id == 77
        assert office.calls("sendMessage")[-1]["message_thread_id"] == 77


async def test_an_unqualified_lead_posts_a_card_without_buttons_when_asked_to(
    office: Office,
) -> None:
    result = await office.repo.leads.submit(
        LeadDraft(
            user_id=office.owner_id, draft_id="u1", qualified=False,
            qualification="Оборот до 1 млн ₽ ❌", answers={"turnover": "lt1", "years": "lt1"},
        ),
        Notification("lead_card", None, {}),
    )
    office.sender.wake()

    card = await office.card(result.lead.id)

    assert "не квалифицирован" in card.content and "Не проходит по порогам" in card.content
    assert card.buttons == []


async def test_erasing_a_lead_turns_its_card_into_a_tombstone_without_buttons(
    office: Office,
) -> None:
    lead = await office.submit()
    await office.card(lead.id)
    await office.anna.reply_to(await office.card(lead.id), "Позвонить в среду")

    await office.repo.erase_person(office.owner_id)
    office.sender.wake()
    await office.idle()

    message = office.telegram.message(office.group_id, (await _message_id(office, lead.id)))
    assert message is not None
    assert "удалена по просьбе владельца" in (message.text or "")
    assert "Ольга" not in (message.text or "") and "+7999" not in (message.text or "")
    assert not (message.to_dict().get("reply_markup") or {}).get("inline_keyboard")
    assert await office.repo.cards.get(lead.id) is None
    assert await office.repo.pipeline.notes(lead.id) == []


async def _message_id(office: Office, lead_id: int) -> int:
    for message in office.group_bot_messages():
        if f"№{lead_id}" in message.content and message.content.startswith(("🆕", "🗑")):
            return message.message_id
    raise AssertionError("no card")


async def test_submit_wakes_the_sender_instead_of_waiting_for_its_poll(office: Office) -> None:
    """The owner's whole journey through the diagnostic, then the clock starts at «Отправить»."""
    owner = await office.world.user("Ольга", username="olga")
    await fill_in_a_request(owner, "Ольга", "+7 999 123-45-67")

    # The sender polls every OUTBOX_POLL_SECONDS (5 s); the submit wakes it at once, so the
    # card is there well before the next poll would have found it.
    await owner.click("✅ Отправить")
    card = await office.card(1, wait=2.5)
    assert "ООО Ромашка" in card.content and "Розница — 40% ⭐️ стратегический" in card.content
    assert len(office.cards(1)) == 1


async def test_bind_in_a_forum_topic_sends_cards_to_that_topic(db_path: Path) -> None:
    async with open_office(db_path, is_forum=True, bind_by_setting=False) as office:
        office.telegram.create_topic(office.group_id, "Заявки", thread_id=5)
        ada = office.ada.in_chat(office.world_group(office.group_id), thread_id=5)

        await ada.send("/bind")
        await ada.expect("в эту тему")
        lead = await office.submit()

        assert (await office.card(lead.id)).thread_id == 5


async def test_a_closed_topic_sends_cards_to_the_group_itself(db_path: Path) -> None:
    async with open_office(db_path, is_forum=True, thread_id=77) as office:
        office.telegram.close_topic(office.group_id, 77, by=office.ada.id)
        lead = await office.submit()

        card = await office.card(lead.id)

        refused = [call for call in office.telegram.calls("sendMessage") if call.ok is False]
        assert [call.error for call in refused] == ["Bad Request: TOPIC_CLOSED"]
        assert card.thread_id is None
        assert (await office.consultants.binding.target()).thread_id is None  # type: ignore[union-attr]


async def test_a_deleted_topic_sends_cards_to_the_group_itself(db_path: Path) -> None:
    async with open_office(db_path, is_forum=True, thread_id=77) as office:
        office.telegram.delete_topic(office.group_id, 77)
        lead = await office.submit()

        card = await office.card(lead.id)

        refused = [call for call in office.telegram.calls("sendMessage") if call.ok is False]
        assert [call.error for call in refused] == ["Bad Request: message thread not found"]
        assert card.thread_id is None


async def test_a_returning_lead_whose_card_was_deleted_gets_a_new_card(office: Office) -> None:
    lead = await office.submit()
    old = await office.card(lead.id)
    office.telegram.message(office.group_id, old.message_id).deleted = True  # type: ignore[union-attr]

    await office.submit(draft="d2", company="Новая")
    await office.idle()

    card = await office.card(lead.id)
    assert card.message_id != old.message_id
    assert "Новая" in card.content and card.buttons
