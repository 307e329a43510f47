"""An owner's /delete_me as the consultants see it: every message that showed the request
becomes a tombstone, and the request's number is never given to anyone else."""

from __future__ import annotations

from bot.emulator import MessageView, Person
from tests.consultants.office import Office


async def submit_through_bot(owner: Person, name: str, phone: str) -> None:
    """The owner's whole request in their chat with the bot, up to «Заявка принята»."""
    await owner.send("/diagnostic")
    await owner.click("3–10 млн ₽")
    await owner.click("5–10 лет")
    await owner.click("2 — все три шага")
    await owner.click("Отдел продаж")
    await owner.click("2")
    await owner.send("Опт")
    await owner.send("60")
    await owner.send("Розница")
    await owner.send("40")
    await owner.click("Розница")
    await owner.click("Согласен")
    await owner.send(name)
    await owner.send("ООО Ромашка")
    await owner.send("Директор")
    await owner.send(phone)
    await owner.click("Утром, 9–12")
    await owner.expect("Проверьте заявку")
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
    assert not second_card.buttons or not office.telegram.message(
        second_card.chat_id, second_card.message_id
    ).to_dict().get("reply_markup", {}).get("inline_keyboard")

    await office.anna.send(f"/lead {first.id}")
    answer = await office.anna.expect(f"Заявки №{first.id} нет")
    assert "Богдан" not in answer.content and "Алла" not in answer.content
