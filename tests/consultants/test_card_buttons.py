"""Story: consultants take leads through their statuses with the card's buttons; nobody
else, no forged or stale button, and no simultaneous press can change a lead wrongly."""

from __future__ import annotations

import pytest

from bot.db.models import LeadRow
from tests.consultants.office import Office


async def _history(office: Office, lead_id: int) -> list[tuple[str, str, int | None]]:
    history = await office.repo.pipeline.history(lead_id)
    return [(h.from_status, h.to_status, h.actor_id) for h in history]


async def _untouched(office: Office, lead_id: int) -> LeadRow:
    """The lead as stored: still new, and no status change in its history."""
    stored = await office.repo.leads.get(lead_id)
    assert stored is not None and stored.status == "new"
    assert await _history(office, lead_id) == []
    return stored


async def test_a_consultant_claims_and_the_card_shows_who_has_it(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)

    answer = await office.press(office.anna, card, "Взять в работу")

    assert "ваша" in answer["text"]
    card = await office.card(lead.id)
    assert "Статус:</b> в работе · Анна Консультант" in (card.html or "")
    assert [b.text for b in card.buttons] == ["📞 Связались", "✖️ Отказ", "↩️ Вернуть в новые"]
    stored = await office.repo.leads.get(lead.id)
    assert stored is not None and stored.status == "claimed"
    assert stored.assignee_id == office.anna.id
    assert await _history(office, lead.id) == [("new", "claimed", office.anna.id)]


async def test_of_two_simultaneous_claims_one_wins_and_the_other_is_told_who(
    office: Office,
) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    data = f"gc:{lead.id}:c"
    pressed = [
        office.telegram.click(person.id, office.group_id, card.message_id, data)
        for person in (office.anna, office.boris)
    ]
    office.telegram.take_all_updates()

    await office.world.handle_at_once([p.update for p in pressed])

    answers = [office.answer_of(p.query_id) for p in pressed]
    winners = [a for a in answers if "ваша" in (a.get("text") or "")]
    losers = [a for a in answers if "уже в работе" in (a.get("text") or "")]
    assert len(winners) == 1 and len(losers) == 1
    stored = await office.repo.leads.get(lead.id)
    assert stored is not None and stored.assignee_name is not None
    assert stored.assignee_name in losers[0]["text"]
    assert losers[0]["show_alert"] is True
    assert len(await _history(office, lead.id)) == 1


async def test_a_late_claim_is_told_who_already_has_the_lead(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    await office.press(office.anna, card, "Взять в работу")

    answer_query = office.telegram.click(office.boris.id, office.group_id, card.message_id,
                                         f"gc:{lead.id}:c")
    await office.world.settle()

    answer = office.answer_of(answer_query.query_id)
    assert answer["text"] == "Заявка уже в работе: Анна Консультант."
    assert answer["show_alert"] is True


async def test_a_non_members_press_is_refused_and_changes_nothing(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    outsider = office.telegram.add_user(first_name="Посторонний", started=True)
    payload = office.callback_update(outsider.id, card, f"gc:{lead.id}:c")

    await office.inject(payload)

    answer = office.answer_of(payload["callback_query"]["id"])
    assert answer["show_alert"] is True and "только для консультантов" in answer["text"]
    assert (await _untouched(office, lead.id)).assignee_id is None
    assert await office.card(lead.id) == card


async def test_a_consultant_removed_from_the_group_loses_the_buttons(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    office.telegram.remove_member(office.group_id, office.boris.id)
    payload = office.callback_update(office.boris.id, card, f"gc:{lead.id}:c")

    await office.inject(payload)

    assert "только для консультантов" in office.answer_of(payload["callback_query"]["id"])["text"]
    stored = await office.repo.leads.get(lead.id)
    assert stored is not None and stored.status == "new"


async def test_a_forged_button_pointing_at_another_lead_changes_nothing(office: Office) -> None:
    first = await office.submit()
    second = await office.submit(user_id=office.new_owner(), company="Вторая")
    first_card = await office.card(first.id)
    await office.card(second.id)

    query = await office.anna.click_data(first_card, f"gc:{second.id}:c")

    answer = office.answer_of(query)
    assert answer["show_alert"] is True
    for lead in (first, second):
        await _untouched(office, lead.id)


async def test_a_button_on_an_old_message_changes_nothing(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    # An older message of the bot in the group (e.g. the update notice) with forged data.
    await office.submit(draft="d2")
    await office.idle()
    notice = next(m for m in office.group_bot_messages() if "обновил" in m.content)

    query = await office.anna.click_data(notice, f"gc:{lead.id}:c")

    assert "устарела" in office.answer_of(query)["text"]
    stored = await office.repo.leads.get(lead.id)
    assert stored is not None and stored.status == "new"
    assert (await office.card(lead.id)).message_id == card.message_id


@pytest.mark.parametrize(
    "data",
    [
        "gc:abc:c", "gc:1e3:c", "gc:-1:c", "gc:0:c", "gc:99999999999999999999999999:c",
        "gc:4611686018427387905:c", "gc:1:z", "gc:1:", "gc::c", "gc:1", "gc:1:c:extra",
        "gc", "gp:open:-1", "gp:evil:0", "gp:open:99999999999999999999", "gp:all:x",
        "zz:1:c", "x" * 64, "gc:١:c", "gc: 1:c", "gc:01:c", "gc:+1:c", "gc:1_0:c",
    ],
)
async def test_hostile_callback_data_never_crashes_and_changes_nothing(
    office: Office, data: str,
) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)

    query = await office.anna.click_data(card, data)

    answer = office.answer_of(query)
    assert answer["show_alert"] is True
    await _untouched(office, lead.id)


async def test_a_button_for_a_lead_that_does_not_exist_changes_nothing(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)

    query = await office.anna.click_data(card, "gc:999:c")

    assert office.answer_of(query)["show_alert"] is True
    await _untouched(office, lead.id)
    assert await office.repo.leads.get(999) is None


async def test_only_the_assignee_or_an_admin_moves_a_claimed_lead(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    await office.press(office.anna, card, "Взять в работу")

    refused = await office.press(office.boris, await office.card(lead.id), "Связались")
    assert "В работе: Анна Консультант." in refused["text"] and refused["show_alert"]
    assert (await office.repo.leads.get(lead.id)).status == "claimed"  # type: ignore[union-attr]

    await office.press(office.ada, await office.card(lead.id), "Связались")
    assert (await office.repo.leads.get(lead.id)).status == "contacted"  # type: ignore[union-attr]
    assert (await _history(office, lead.id))[-1] == ("claimed", "contacted", office.ada.id)


async def test_the_whole_way_to_a_done_diagnostic_is_recorded(office: Office) -> None:
    lead = await office.submit()
    titles = [(await office.card(lead.id)).content.splitlines()[0]]
    for button in ("Взять в работу", "Связались", "Диагностика назначена", "Диагностика проведена"):
        await office.press(office.anna, await office.card(lead.id), button)
        titles.append((await office.card(lead.id)).content.splitlines()[0])

    assert titles == [  # the card's title says where the lead is, not «Новая» forever
        f"🆕 Новая заявка №{lead.id}",
        f"✋ Заявка №{lead.id} — в работе",
        f"📞 Заявка №{lead.id} — связались",
        f"📅 Заявка №{lead.id} — диагностика назначена",
        f"✅ Заявка №{lead.id} — диагностика проведена",
    ]
    card = await office.card(lead.id)
    assert "диагностика проведена" in card.content
    assert [b.text for b in card.buttons] == ["↩️ Вернуть в новые"]
    assert await _history(office, lead.id) == [
        ("new", "claimed", office.anna.id),
        ("claimed", "contacted", office.anna.id),
        ("contacted", "scheduled", office.anna.id),
        ("scheduled", "done", office.anna.id),
    ]
    assert len(office.cards(lead.id)) == 1  # edited in place, never re-posted


async def test_a_button_not_allowed_from_the_current_status_is_refused(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)

    query = await office.anna.click_data(card, f"gc:{lead.id}:d")  # «done» straight from new

    answer = office.answer_of(query)
    assert "статус «новая»" in answer["text"] and answer["show_alert"]
    assert (await office.repo.leads.get(lead.id)).status == "new"  # type: ignore[union-attr]


async def test_returning_a_lead_to_new_clears_the_assignee(office: Office) -> None:
    lead = await office.submit()
    await office.press(office.anna, await office.card(lead.id), "Взять в работу")

    await office.press(office.anna, await office.card(lead.id), "Вернуть в новые")

    stored = await office.repo.leads.get(lead.id)
    assert stored is not None and stored.status == "new" and stored.assignee_id is None
    card = await office.card(lead.id)
    assert [b.text for b in card.buttons] == ["✋ Взять в работу", "✖️ Отказ"]
    await office.press(office.boris, card, "Взять в работу")
    assert (await office.repo.leads.get(lead.id)).assignee_id == office.boris.id  # type: ignore[union-attr]


async def test_a_refusal_asks_for_the_reason_and_stores_the_reply(office: Office) -> None:
    lead = await office.submit()
    await office.press(office.anna, await office.card(lead.id), "Взять в работу")

    answer = await office.press(office.anna, await office.card(lead.id), "Отказ")
    assert "причину отказа" in answer["text"]
    assert (await office.repo.leads.get(lead.id)).status == "claimed"  # type: ignore[union-attr]
    prompt = await office.anna.expect("почему отказ по заявке №1")
    assert prompt.reply_markup == {"force_reply": True, "selective": True}

    await office.anna.reply_to(prompt, "Нет бюджета <до осени> & не сезон")
    await office.anna.expect("Отказ по заявке №1 записан")

    stored = await office.repo.leads.get(lead.id)
    assert stored is not None and stored.status == "lost"
    assert await office.repo.pipeline.lost_reason(lead.id) == "Нет бюджета <до осени> & не сезон"
    history = await office.repo.pipeline.history(lead.id)
    assert history[-1].to_status == "lost"
    assert history[-1].reason == "Нет бюджета <до осени> & не сезон"
    card = await office.card(lead.id)
    assert "Причина отказа:</b> Нет бюджета &lt;до осени&gt; &amp; не сезон" in (card.html or "")
    assert [b.text for b in card.buttons] == ["↩️ Вернуть в новые"]


async def test_a_reply_to_a_card_becomes_a_note_on_the_lead(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)

    await office.boris.reply_to(card, "Перезвонить после 15:00")

    await office.boris.expect("Заметка к заявке №1 сохранена")
    notes = await office.repo.pipeline.notes(lead.id)
    assert [(n.author_id, n.text) for n in notes] == [(office.boris.id, "Перезвонить после 15:00")]


async def test_a_reply_from_a_non_member_is_not_a_note(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    office.telegram.add_user(user_id=424242, first_name="Гость")
    payload = {
        "message": {
            "message_id": 9999, "date": 0,
            "chat": office.telegram.chats[office.group_id].to_telegram(),
            "from": office.telegram.user(424242).to_telegram(),
            "text": "Я не консультант",
            "reply_to_message": office.telegram.message(office.group_id, card.message_id)
            .to_telegram(),  # type: ignore[union-attr]
        }
    }

    await office.inject(payload)

    assert await office.repo.pipeline.notes(lead.id) == []
