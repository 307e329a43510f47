"""Story: speed to lead — leads go round the consultants on duty, one that waits too long
is reminded in the group and then escalated to the admins, and /stats shows how fast
consultants first contact owners."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.outbox.sla import SlaWatcher
from tests.consultants.office import Office, open_office


@pytest.fixture
async def rotation(db_path: Path) -> AsyncIterator[Office]:
    async with open_office(db_path, assignment="round_robin") as opened:
        yield opened


async def assignee_of(office: Office, lead_id: int) -> str | None:
    await office.card(lead_id)
    await office.idle()
    lead = await office.repo.leads.get(lead_id)
    assert lead is not None
    return lead.assignee_name


async def test_leads_go_round_the_consultants_on_duty(rotation: Office) -> None:
    office = rotation
    await office.anna.send("/duty on")
    await office.anna.expect("Вы на дежурстве")
    await office.boris.send("/duty on")
    await office.boris.expect("Вы на дежурстве")

    names = [
        await assignee_of(office, (await office.submit(user_id=office.new_owner())).id)
        for _ in range(3)
    ]
    assert names == ["Анна Консультант", "Борис", "Анна Консультант"]

    await office.boris.send("/duty off")
    await office.boris.expect("Вы не на дежурстве")
    fourth = await office.submit(user_id=office.new_owner())
    assert await assignee_of(office, fourth.id) == "Анна Консультант"
    card = await office.card(fourth.id)
    assert "новая · назначена: Анна Консультант" in card.content
    assert [b.text for b in card.buttons] == [
        "✋ Взять в работу", "✖️ Отказ", "➡️ Передать следующему"
    ]

    # Only Anna (or an admin) takes or passes it; with nobody else on duty it stays hers.
    refused = await office.press(office.boris, card, "Взять в работу")
    assert "Анна" in refused["text"] and refused["show_alert"] is True
    nobody = await office.press(office.anna, card, "Передать следующему")
    assert "некому" in nobody["text"]
    await office.boris.send("/duty on")
    passed = await office.press(office.anna, card, "Передать следующему")
    assert "передана: Борис" in passed["text"]
    await office.anna.expect("ведёт Борис")
    assert await assignee_of(office, fourth.id) == "Борис"
    history = await office.repo.pipeline.history(fourth.id)
    assert [(h.actor_id, h.reason) for h in history] == [(office.anna.id, "Борис")]

    taken = await office.press(office.boris, await office.card(fourth.id), "Взять в работу")
    assert "ваша" in taken["text"]

    # Admins see who is on duty; a consultant sees only their own state.
    await office.ada.send("/duty")
    listed = await office.ada.expect("На дежурстве:")
    assert "Анна Консультант, Борис" in listed.content
    await office.anna.send("/duty")
    own = await office.anna.expect("Вы на дежурстве")
    assert "На дежурстве:" not in own.content


async def test_with_nobody_on_duty_a_lead_waits_for_whoever_takes_it(rotation: Office) -> None:
    lead = await rotation.submit()
    assert await assignee_of(rotation, lead.id) is None
    card = await rotation.card(lead.id)
    assert [b.text for b in card.buttons] == ["✋ Взять в работу", "✖️ Отказ"]
    await rotation.press(rotation.boris, card, "Взять в работу")
    assert await assignee_of(rotation, lead.id) == "Борис"


async def test_manual_assignment_gives_nobody_a_lead_and_says_duty_does_not_count(
    office: Office,
) -> None:
    await office.anna.send("/duty on")
    said = await office.anna.expect("Вы на дежурстве")
    assert "вручную" in said.content
    lead = await office.submit()
    assert await assignee_of(office, lead.id) is None
    assert [b.text for b in (await office.card(lead.id)).buttons] == [
        "✋ Взять в работу", "✖️ Отказ"
    ]


async def test_someone_who_leaves_the_group_is_off_duty(db_path: Path) -> None:
    async with open_office(db_path, assignment="round_robin", bot_admin=True) as office:
        await office.anna.send("/duty on")
        await office.anna.expect("Вы на дежурстве")
        office.telegram.remove_member(office.group_id, office.anna.id)
        await office.world.settle()
        lead = await office.submit()
        assert await assignee_of(office, lead.id) is None


# -- the SLA reminder escalates ---------------------------------------------------------------


async def test_a_waiting_lead_is_reminded_in_the_group_then_escalated_to_the_admins(
    office: Office,
) -> None:
    lead = await office.submit()
    await office.card(lead.id)
    sla = SlaWatcher(office.repo, office.settings, office.sender.wakeup, clock=office.clock)
    minutes = office.settings.sla_minutes

    office.clock.advance(minutes * 60 + 1)
    assert await sla.check() == [lead.id] and sla.escalated == []
    await office.idle()
    reminders = [m for m in office.group_bot_messages() if m.content.startswith("⏰")]
    assert len(reminders) == 1
    assert office.calls("sendMessage")[-1]["chat_id"] == office.group_id

    office.clock.advance(minutes * 60)
    assert await sla.check() == [] and sla.escalated == [lead.id]
    await office.idle()
    [alert] = [c for c in office.calls("sendMessage") if c["chat_id"] == office.ada.id]
    assert f"Заявка №{lead.id} ждёт уже {2 * minutes} минут" in alert["text"]
    assert len([m for m in office.group_bot_messages() if m.content.startswith("⏰")]) == 1

    office.clock.advance(3600)
    assert await sla.check() == [] and sla.escalated == []  # each only once


async def test_a_lead_taken_in_time_is_never_escalated(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    sla = SlaWatcher(office.repo, office.settings, office.sender.wakeup, clock=office.clock)
    office.clock.advance(office.settings.sla_minutes * 60 + 1)
    await sla.check()
    await office.press(office.anna, card, "Взять в работу")
    office.clock.advance(office.settings.sla_minutes * 60)
    await sla.check()
    await office.idle()
    assert sla.escalated == []
    assert [c for c in office.calls("sendMessage") if c["chat_id"] == office.ada.id] == []


async def test_in_round_robin_the_reminder_names_the_consultant_who_has_not_taken_it(
    rotation: Office,
) -> None:
    await rotation.anna.send("/duty on")
    await rotation.anna.expect("Вы на дежурстве")
    lead = await rotation.submit()
    assert await assignee_of(rotation, lead.id) == "Анна Консультант"
    sla = SlaWatcher(rotation.repo, rotation.settings, rotation.sender.wakeup, clock=rotation.clock)
    rotation.clock.advance(rotation.settings.sla_minutes * 60 + 1)
    assert await sla.check() == [lead.id]
    await rotation.idle()
    [reminder] = [m for m in rotation.group_bot_messages() if m.content.startswith("⏰")]
    assert "Анна Консультант, возьмите её в работу или передайте дальше" in reminder.content


# -- time to first contact ------------------------------------------------------------------


async def test_the_first_message_or_the_status_contacted_is_the_first_contact(
    office: Office,
) -> None:
    written = await office.submit(user_id=office.new_owner())
    called = await office.submit(user_id=office.new_owner())
    waiting = await office.submit(user_id=office.new_owner())
    written_card = await office.card(written.id)
    called_card = await office.card(called.id)
    await office.card(waiting.id)

    await office.anna.reply_to(written_card, "/send Добрый день!")
    await office.idle()
    await office.press(office.anna, await office.card(written.id), "Связались")
    await office.press(office.boris, called_card, "Взять в работу")
    await office.press(office.boris, await office.card(called.id), "Связались")

    first = await office.repo.contacts.get(written.id)
    second = await office.repo.contacts.get(called.id)
    assert first is not None and (first.via, first.consultant_id) == ("message", office.anna.id)
    assert second is not None and (second.via, second.consultant_id) == ("status", office.boris.id)
    assert await office.repo.contacts.get(waiting.id) is None
    assert 0 <= first.seconds < 60 and 0 <= second.seconds < 60

    await office.ada.send("/stats")
    stats = await office.ada.expect("Время до первого контакта")
    assert "(2 заявки)" in stats.content
    assert "Ждут первого контакта: 1." in stats.content
    assert "Анна Консультант:" in stats.content and "Борис:" in stats.content
    assert "напрямую:" in stats.content


async def test_stats_show_the_median_and_the_90th_percentile_by_consultant_and_source(
    office: Office,
) -> None:
    anna, boris = (office.anna.id, "Анна"), (office.boris.id, "Борис")
    cases = [(60, anna, "vk"), (120, boris, "vk"), (180, anna, "site"), (600, boris, "vk"),
             (3900, anna, "site")]
    for seconds, (user_id, name), source in cases:
        lead = await office.submit(user_id=office.new_owner(), source=source)
        await office.repo.contacts.record(
            lead.id, lead.created_at + seconds, user_id, name, "message"
        )

    await office.ada.send("/stats all")
    stats = (await office.ada.expect("Время до первого контакта")).content

    assert "Медиана — 3 мин, у 90% заявок — не дольше 43 мин (5 заявок)" in stats
    consultants = stats.split("По консультантам")[1].split("По источникам")[0]
    assert consultants.strip().splitlines()[1:] == [
        "• Анна: 3 мин · 52 мин (3)", "• Борис: 6 мин · 9 мин (2)"
    ]
    sources = stats.split("По источникам")[1]
    assert sources.strip().splitlines()[1:] == ["• vk: 2 мин · 8 мин (3)",
                                                "• site: 34 мин · 58 мин (2)"]
