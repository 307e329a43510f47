"""One representative journey through the whole bot, told as the people live it.

An owner reads the four lessons, requests the diagnostic (two segments), consents, shares
the contact and submits; the card appears in the consultants' group and Anna claims it; the
owner writes and sends a photo, Anna answers through the bot and edits her answer; she
asks for /stats and /export; the owner asks for /privacy and /share and sends the bot's card
through inline mode. Tests run it against emulators that behave differently (answers with
extra fields, …) and read which Bot API methods it used.
"""

from __future__ import annotations

from tests.consultants.office import Office
from tests.stories import read_the_lessons, send_the_request


async def walk_the_whole_journey(office: Office) -> None:
    owner = await office.world.user("Ольга", username="olga")

    await owner.send("/start")
    await read_the_lessons(owner)

    await send_the_request(owner)  # two segments, consent, name, company, contact

    lead = await office.repo.leads.for_user(owner.id)
    assert lead is not None and lead.status == "new"
    card = await office.card(lead.id)
    assert "ООО «Ромашка»" in card.content
    answer = await office.press(office.anna, card, "Взять в работу")
    assert "ваша" in answer["text"]
    claimed = await office.repo.leads.get(lead.id)
    assert claimed is not None and claimed.assignee_id == office.anna.id

    # They talk through the bot: the owner's words reach the card's thread, Anna answers
    # with /send and corrects herself.
    question = await owner.send("Когда позвоните?")
    await owner.send_media("photo", caption="Наш прайс")
    await office.idle()
    copy = next(m for m in reversed(office.group_bot_messages()) if "Когда позвоните?" in m.content)
    answer_sent = await office.anna.reply_to(copy, "/send Завтра в 10:00")
    said = await owner.expect("Завтра в 10:00")
    assert said.reply_to_message_id == question.message_id
    await office.anna.edit(answer_sent, "/send Завтра в 11:00")
    await owner.expect("Завтра в 11:00")

    await office.anna.send("/stats")
    await office.anna.expect("Статистика заявок")
    await office.anna.send("/export")
    export = await office.anna.expect("Заявки за период")
    assert export.file is not None

    await owner.send("/privacy")
    await owner.expect("Ваши данные")
    await owner.send("/share")
    await owner.expect("Ваша личная ссылка")
    receipt = office.telegram.inline_query(owner.id, "")
    await office.world.settle()
    [inline] = office.telegram.inline_answers(receipt.query_id)
    assert inline.answered and inline.results
