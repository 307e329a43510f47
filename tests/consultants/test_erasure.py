"""An owner's /delete_me as the consultants see it: every message that showed the request
becomes a tombstone, and the request's number is never given to anyone else."""

from __future__ import annotations

from pathlib import Path

from aiogram.methods import SendMessage

from tests.consultants.office import Office, fill_in_a_request, open_office
from tests.kit import MessageView, Person


async def submit_through_bot(owner: Person, name: str, phone: str) -> None:
    """The owner's whole request in their chat with the bot, up to «Заявка принята»."""
    await fill_in_a_request(owner, name, phone)
    await owner.click("✅ Отправить")
    await owner.expect("Заявка принята")


async def delete_me(owner: Person) -> None:
    await owner.send("/delete_me")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")


def now_shows(office: Office, message: MessageView) -> str:
    """What `message` shows in Telegram now (after the bot's edits)."""
    stored = office.telegram.message(message.chat_id, message.message_id)
    assert stored is not None and not stored.deleted
    return MessageView.from_dict(stored.to_dict()).content


async def test_a_number_freed_by_delete_me_never_shows_the_next_owner_under_it(
    office: Office,
) -> None:
    """The repro of issue 12: A submits and erases; B submits, erases; B's card must be a
    tombstone, and /lead with A's number must show nothing of B."""
    alla = await office.world.user("Алла")
    await submit_through_bot(alla, "Алла Первая", "+7 901 111-11-11")
    first = await office.repo.leads.for_user(alla.id)
    assert first is not None
    first_card = await office.card(first.id)
    await delete_me(alla)
    await office.idle()
    assert "удалена по просьбе владельца" in now_shows(office, first_card)

    bogdan = await office.world.user("Богдан")
    await submit_through_bot(bogdan, "Богдан Второй", "+7 902 222-22-22")
    second = await office.repo.leads.for_user(bogdan.id)
    assert second is not None
    assert second.id > first.id  # a new number, never the freed one
    second_card = await office.card(second.id)
    assert "Богдан Второй" in second_card.content
    await delete_me(bogdan)
    await office.idle()

    shown = now_shows(office, second_card)
    assert f"Заявка №{second.id}" in shown and "удалена по просьбе владельца" in shown
    for trace in ("Богдан", "79022222222", "222-22-22", "Ромашка"):
        assert trace not in shown, trace
    stored = office.telegram.message(second_card.chat_id, second_card.message_id)
    assert stored is not None
    assert not (stored.to_dict().get("reply_markup") or {}).get("inline_keyboard")

    await office.anna.send(f"/lead {first.id}")
    answer = await office.anna.expect(f"Заявки №{first.id} нет")
    assert "Богдан" not in answer.content and "Алла" not in answer.content


async def owner_person(office: Office, user_id: int) -> Person:
    return Person(office.world, office.telegram.user(user_id).to_dict(), chat_id=user_id)


async def test_delete_me_replaces_lead_answers_in_private_chats_and_in_the_group(
    office: Office,
) -> None:
    lead = await office.submit(name="Ольга Стираемая", phone="+79015550101")
    await office.card(lead.id)
    anna = office.anna.in_private()
    await anna.send(f"/lead {lead.id}")
    in_private = await anna.expect("Ольга Стираемая")
    await office.boris.send(f"/lead {lead.id}")
    in_group = await office.boris.expect("Ольга Стираемая")

    await delete_me(await owner_person(office, office.owner_id))
    await office.idle()

    for answer in (in_private, in_group):
        shown = now_shows(office, answer)
        assert f"Заявка №{lead.id}" in shown and "удалена по просьбе владельца" in shown
        assert "Ольга" not in shown and "79015550101" not in shown and "Ромашка" not in shown
    assert await office.repo.cards.showing(lead.id) == []


async def test_a_leads_page_loses_only_the_erased_lines(db_path: Path) -> None:
    """A /leads page lists several requests: erasing one rewrites the page without its
    line; the other requests stay listed, and the pager still works."""
    async with open_office(db_path, leads_page_size=2) as office:
        kept_owner, erased_owner = office.new_owner("Кира"), office.new_owner("Эрик")
        await office.submit(name="Самый первый")
        kept = await office.submit(kept_owner, name="Кира Остаётся", company="ООО Остаток")
        erased = await office.submit(erased_owner, name="Эрик Уходит", company="ООО Уход")
        boris = office.boris.in_private()
        await boris.send("/leads")
        page = await boris.expect("стр. 1 из 2")
        assert "Эрик Уходит" in page.content and "Кира Остаётся" in page.content

        await delete_me(await owner_person(office, erased_owner))
        await office.idle()

        shown = now_shows(office, page)
        assert "Эрик" not in shown and "Уход" not in shown and f"№{erased.id} " not in shown
        assert "Кира Остаётся" in shown and "ООО Остаток" in shown and f"№{kept.id} " in shown
        assert "Самый первый" not in shown  # the page shows what it showed, minus the erased
        await boris.click("Дальше", on=page)  # two requests are left: one page now
        assert "Самый первый" in (await boris.expect("Самый первый")).content
        assert await office.repo.cards.listed_on(page.chat_id, page.message_id) == [kept.id, 1]


async def test_a_consultant_who_blocked_the_bot_or_a_passing_error_stops_no_erasure(
    office: Office,
) -> None:
    """Anna blocked the bot: her copy cannot be edited any more (403), the others still are;
    a 500 on Boris's copy is retried until it is replaced."""
    lead = await office.submit(name="Ольга Стираемая")
    card = await office.card(lead.id)
    anna, boris = office.anna.in_private(), office.boris.in_private()
    await anna.send(f"/lead {lead.id}")
    at_anna = await anna.expect("Ольга Стираемая")
    await boris.send(f"/lead {lead.id}")
    at_boris = await boris.expect("Ольга Стираемая")
    office.telegram.inject_fault("editMessageText", "403_blocked", chat_id=anna.id)
    office.telegram.inject_fault("editMessageText", "500", chat_id=boris.id)

    await delete_me(await owner_person(office, office.owner_id))
    await office.idle()
    office.clock.advance(office.settings.outbox_retry_max_seconds)
    office.sender.wake()
    await office.idle()

    assert "Ольга" in now_shows(office, at_anna)  # out of reach: /delete_me says so
    assert "удалена по просьбе владельца" in now_shows(office, at_boris)
    assert "удалена по просьбе владельца" in now_shows(office, card)
    assert await office.repo.cards.showing(lead.id) == []
    [row] = [r for r in await office.repo.db.fetchall(
        "SELECT status FROM outbox WHERE kind = 'lead_erased'"
    )]
    assert row[0] == "sent"


async def test_a_lead_erased_while_its_answer_is_on_the_way_is_replaced_at_once(
    office: Office,
) -> None:
    lead = await office.submit(name="Ольга Стираемая")
    await office.idle()  # the card is posted
    anna = office.anna.in_private()
    real = office.bot.session.make_request

    async def erase_first(bot, method, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage) and "Ольга Стираемая" in method.text:
            await office.repo.erase_person(office.owner_id)  # the owner was quicker
        return await real(bot, method, **kwargs)

    office.bot.session.make_request = erase_first  # type: ignore[method-assign]
    await anna.send(f"/lead {lead.id}")

    [sent] = [c for c in office.calls("sendMessage") if c["chat_id"] == anna.id]
    assert "Ольга Стираемая" in sent["text"]  # it did go out with the data ...
    await office.idle()  # the outbox replaces it
    [answer] = await anna.bot_messages()
    shown = now_shows(office, answer)  # ... and was replaced right away
    assert "удалена по просьбе владельца" in shown and "Ольга" not in shown
    await office.idle()
    assert await office.repo.cards.showing(lead.id) == []


async def test_after_delete_me_no_message_of_the_bot_anywhere_shows_the_owner(
    db_path: Path,
) -> None:
    """Every kind of message the bot writes about a request — card, update notice, SLA
    reminder, /lead and /leads answers in the group and in private chats, a page turned
    to, a refusal prompt — is on record and, after /delete_me, shows nothing of the owner."""
    answers = {
        "turnover": "3_10", "years": "5_10", "dept_type": 2, "lead_source": "sales",
        "segments": [{"name": "Сегмент-Икс", "share": 70}, {"name": "Сегмент-Игрек", "share": 30}],
        "strategic": 0,
    }
    personal = dict(
        name="Зинаида Уникальная", company="ООО Зюзюка", position="Хранитель печати",
        phone="+79017778899", call_time="после обеда по четвергам", answers=answers,
    )
    async with open_office(db_path, leads_page_size=1) as office:
        lead = await office.submit(**personal)
        card = await office.card(lead.id)
        await office.submit(draft="d2", **personal)  # sent again: the card edited, a notice
        await office.submit(office.new_owner(), name="Другой Владелец")
        now = office.clock.now()
        await office.repo.pipeline.enqueue_sla_reminders(now + 1, now)
        office.sender.wake()
        await office.idle()
        for person in (office.anna, office.anna.in_private(), office.boris.in_private()):
            await person.send(f"/lead {lead.id}")
            await person.expect("Зинаида Уникальная")
        for person in (office.ada, office.ada.in_private()):
            await person.send("/leads")
            await person.expect("Другой Владелец")
            await person.click("Дальше")  # the page turned to shows her
            await person.expect("Зинаида Уникальная")
        await office.press(office.anna, card, "Взять в работу")
        await office.press(office.anna, await office.card(lead.id), "Отказ")
        await office.anna.expect("почему отказ")
        every_chat = [office.group_id, office.anna.id, office.boris.id, office.ada.id]
        showing = [
            m for chat in every_chat for m in office.telegram.bot_messages(chat)
            if "Зинаида" in (m.text or m.caption or "")
        ]
        assert len(showing) == 6  # the card, three /lead answers, two pages

        await delete_me(await owner_person(office, office.owner_id))
        await office.idle()

        traces = ("Зинаида", "Уникальная", "Зюзюка", "Хранитель", "7778899", "777-88-99",
                  "Сегмент-Икс", "Сегмент-Игрек", "по четвергам", "olga_owner")
        for chat in every_chat:
            for message in office.telegram.bot_messages(chat):
                text = message.text or message.caption or ""
                for trace in traces:
                    assert trace not in text, (chat, trace, text[:80])
        page = office.telegram.message(showing[-1].chat_id, showing[-1].message_id)
        assert "Таких заявок нет" in page.text  # she was all that page listed
