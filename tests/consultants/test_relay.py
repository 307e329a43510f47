"""Story: after submitting a request the owner talks to the consultants through the bot — a
topic per lead in a forum, the card and its replies in a plain group — and only a message a
consultant starts with /send ever reaches the owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ShiftedClock
from bot.emulator import Emulator
from bot.emulator.limits import RateLimits
from bot.outbox import OutboxSender
from tests.consultants.office import CONTENT, Office, lead_draft, open_office
from tests.kit.views import MessageView

MARK = "👌"


@pytest.fixture
async def forum(db_path: Path) -> AsyncIterator[Office]:
    """The consultants' group is a forum and the bot may manage its topics."""
    async with open_office(db_path, is_forum=True, bot_admin=True) as opened:
        yield opened


def reactions(office: Office, chat_id: int, message_id: int) -> list[str]:
    stored = office.telegram.message(chat_id, message_id)
    assert stored is not None
    return [r.get("emoji", "") for r in stored.reactions]


async def owner_chat(office: Office) -> list[MessageView]:
    """What the bot sent the owner, oldest first."""
    return await office.owner.bot_messages()


# -- a whole conversation ---------------------------------------------------------------------


async def test_a_whole_conversation_in_the_leads_own_topic(forum: Office) -> None:
    lead, thread = await forum.lead_in_its_topic()

    [topic] = [t for t in forum.telegram.topics(forum.group_id) if t.thread_id == thread]
    assert topic.name == f"№{lead.id} · ООО «Ромашка» · Ольга Владелец"
    card = forum.in_thread(thread)[0]
    assert card.content.startswith(f"🆕 Новая заявка №{lead.id}")
    assert "начните сообщение с /send" in card.content  # the rule, in the first message
    [notice] = forum.in_thread(None)
    assert f"Заявка №{lead.id}" in notice.content
    link = f"https://t.me/c/{str(forum.group_id).removeprefix('-100')}/{thread}"
    assert link in (notice.html or "")

    owner = forum.owner
    question = await owner.send("Добрый день! Когда позвоните?")
    await forum.idle()
    copy = forum.in_thread(thread)[-1]
    assert copy.content == (
        f"👤 Ольга Владелец · владелец, заявка №{lead.id}\nДобрый день! Когда позвоните?"
    )
    assert reactions(forum, owner.chat_id, question.message_id) == [MARK]

    anna = forum.anna.in_topic(thread)
    await anna.send("Клиент горячий, звоню сегодня")  # a note
    answer = await anna.send("/send Здравствуйте, Ольга! Позвоню в 10:00.")
    said = await owner.expect("Анна, консультант")
    assert said.content == "💬 Анна, консультант\nЗдравствуйте, Ольга! Позвоню в 10:00."
    await forum.idle()
    assert reactions(forum, forum.group_id, answer.message_id) == [MARK]
    assert [m.content for m in await owner_chat(forum)] == [said.content]
    notes = await forum.repo.pipeline.notes(lead.id)
    assert [n.text for n in notes] == ["Клиент горячий, звоню сегодня"]

    taken = await forum.repo.leads.get(lead.id)
    assert taken is not None and (taken.status, taken.assignee_id) == ("claimed", forum.anna.id)
    assert "в работе · Анна Консультант" in (await forum.card(lead.id)).content
    contact = await forum.repo.contacts.get(lead.id)
    assert contact is not None and (contact.consultant_id, contact.via) == (forum.anna.id, "message")

    # Edits follow, both ways, as edits.
    await anna.edit(answer, "/send Здравствуйте, Ольга! Позвоню в 11:00.")
    await forum.idle()
    [said] = await owner_chat(forum)
    assert said.content == "💬 Анна, консультант\nЗдравствуйте, Ольга! Позвоню в 11:00."
    await owner.edit(question, "Добрый день! Когда позвоните? Я до 18:00.")
    await forum.idle()
    copy = next(m for m in forum.in_thread(thread) if m.message_id == copy.message_id)
    assert copy.content.endswith("Когда позвоните? Я до 18:00.")

    # Replies keep their context on the other side.
    thanks = await owner.send("Спасибо, жду", reply_to=said)
    await forum.idle()
    answered = forum.in_thread(thread)[-1]
    assert answered.content.endswith("Спасибо, жду")
    assert answered.reply_to_message_id == answer.message_id
    await anna.send("/send Договорились!", reply_to=copy)
    await forum.idle()
    last = (await owner_chat(forum))[-1]
    assert last.content.endswith("Договорились!")
    assert last.reply_to_message_id == question.message_id
    assert thanks.message_id != question.message_id
    assert await forum.repo.outbox.pending() == []

    # What was said is not kept: the relayed rows keep no text once delivered, and /privacy
    # says what the relay keeps.
    relayed = await forum.db.fetchall(
        "SELECT payload FROM outbox WHERE kind IN ('relay_in', 'relay_out', 'relay_edit')"
    )
    assert len(relayed) == 6 and {row[0] for row in relayed} == {"{}"}
    await owner.send("/privacy")
    shown = await owner.expect("Ваши данные")
    assert "номера сообщений переписки с консультантом (без текстов)" in shown.content
    assert "Переписка с консультантом идёт через бота" in shown.content


async def test_a_whole_conversation_in_a_group_without_topics(office: Office) -> None:
    """Without topics the thread is the card and the replies to it."""
    lead = await office.submit()
    card = await office.card(lead.id)
    assert "ответьте на карточку или на его сообщение, начав с /send" in card.content

    owner = office.owner
    question = await owner.send("Можно в четверг?")
    await office.idle()
    copy = office.group_bot_messages()[-1]
    assert copy.content.endswith("Можно в четверг?")
    assert copy.reply_to_message_id == card.message_id

    await office.anna.reply_to(copy, "Четверг ей подходит — записываю")  # a note
    await office.anna.expect(f"Заметка к заявке №{lead.id} сохранена")
    await office.anna.reply_to(copy, "/send Да, в четверг в 15:00 удобно?")
    said = await owner.expect("Анна, консультант")
    assert said.content.endswith("Да, в четверг в 15:00 удобно?")
    assert said.reply_to_message_id == question.message_id
    await office.anna.reply_to(card, "/send И пришлите, пожалуйста, прайс.")
    await owner.expect("прайс")
    await office.anna.send("/send без ответа на карточку")
    await office.anna.expect("ответом на карточку")
    await office.idle()

    assert [m.content.split("\n", 1)[1] for m in await owner_chat(office)] == [
        "Да, в четверг в 15:00 удобно?", "И пришлите, пожалуйста, прайс.",
    ]
    assert [n.text for n in await office.repo.pipeline.notes(lead.id)] == [
        "Четверг ей подходит — записываю"
    ]


# -- media ---------------------------------------------------------------------------------------

CAPTIONED = ("photo", "video", "document", "audio", "voice", "animation")
UNCAPTIONED = ("sticker", "video_note", "contact", "location", "poll", "dice")


@pytest.mark.parametrize("kind", CAPTIONED + UNCAPTIONED)
async def test_the_owners_media_of_each_kind_reaches_the_thread_signed(
    forum: Office, kind: str
) -> None:
    lead, thread = await forum.lead_in_its_topic()
    sent = await forum.owner.send_media(kind, caption="вот" if kind in CAPTIONED else None)
    await forum.idle()

    shown = forum.in_thread(thread)[1:]
    signature = f"👤 Ольга Владелец · владелец, заявка №{lead.id}"
    if kind in CAPTIONED:
        [copy] = shown
        assert copy.kind == kind and copy.caption == f"{signature}\nвот"
    else:
        header, copy = shown
        assert header.content == signature
        assert copy.kind == kind and copy.reply_to_message_id == header.message_id
    original = forum.telegram.message(forum.owner_id, sent.message_id)
    assert original is not None and copy.file == (
        original.file.to_dict() if original.file else None
    )  # the same file, copied as it is
    assert reactions(forum, forum.owner_id, sent.message_id) == [MARK]


@pytest.mark.parametrize("kind", CAPTIONED + UNCAPTIONED)
async def test_a_consultants_media_of_each_kind_reaches_the_owner_signed(
    forum: Office, kind: str
) -> None:
    """A captioned medium goes with a caption that starts with /send; anything goes when the
    consultant answers their own message with /send alone."""
    lead = await forum.submit()
    thread = await forum.topic_of(lead.id)
    anna = forum.anna.in_topic(thread)
    if kind in CAPTIONED:
        sent = await anna.send_media(kind, caption="/send Посмотрите, пожалуйста")
    else:
        sent = await anna.send_media(kind)
        await anna.send("/send", reply_to=sent)
    await forum.idle()

    shown = await owner_chat(forum)
    if kind in CAPTIONED:
        [copy] = shown
        assert copy.kind == kind
        assert copy.caption == "💬 Анна, консультант\nПосмотрите, пожалуйста"
    else:
        header, copy = shown
        assert header.content == "💬 Анна, консультант"
        assert copy.kind == kind and copy.reply_to_message_id == header.message_id
    assert reactions(forum, forum.group_id, sent.message_id) == [MARK]


# -- the rule: a note never reaches the owner ----------------------------------------------


async def test_nothing_but_send_reaches_the_owner(forum: Office) -> None:
    lead = await forum.submit()
    thread = await forum.topic_of(lead.id)
    await forum.owner.send("Здравствуйте")
    await forum.idle()
    copy = forum.in_thread(thread)[-1]
    anna, boris = forum.anna.in_topic(thread), forum.boris.in_topic(thread)

    note = await anna.send("Владелец просил не звонить до обеда")
    await anna.send("Ответ на её сообщение, но без команды", reply_to=copy)
    await anna.send("В тексте есть /send, но не в начале")
    await anna.send("/sender это не та команда")
    await anna.send_media("photo", caption="фото для своих")
    await anna.send_media("voice")
    await boris.send("/send", reply_to=note)  # someone else's note: not his to send
    await boris.expect("только своё сообщение")
    await anna.send("/send")  # nothing to send
    await anna.expect("начните сообщение с /send")
    await forum.ada.in_topic(None).send("Общий разговор в General")
    await forum.idle()

    assert await owner_chat(forum) == []
    texts = [n.text for n in await forum.repo.pipeline.notes(lead.id)]
    assert texts == [
        "Владелец просил не звонить до обеда", "Ответ на её сообщение, но без команды",
        "В тексте есть /send, но не в начале", "/sender это не та команда", "фото для своих",
        "🎤 голосовое сообщение",
    ]
    assert await forum.repo.outbox.pending() == []


async def test_once_a_lead_is_taken_only_its_consultant_or_an_admin_writes_to_the_owner(
    forum: Office,
) -> None:
    lead = await forum.submit()
    thread = await forum.topic_of(lead.id)
    await forum.anna.in_topic(thread).send("/send Добрый день, это Анна.")
    await forum.owner.expect("Анна, консультант")

    await forum.boris.in_topic(thread).send("/send А это Борис!")
    await forum.boris.expect("ведёт Анна Консультант")
    await forum.ada.in_topic(thread).send("/send Ада, руководитель: всё в силе.")
    await forum.owner.expect("Ада, консультант")
    await forum.idle()

    assert len(await owner_chat(forum)) == 2
    taken = await forum.repo.leads.get(lead.id)
    assert taken is not None and taken.assignee_id == forum.anna.id  # the admin took nothing


async def test_a_lead_below_the_thresholds_has_no_relay(office: Office) -> None:
    """An owner turned down by the qualification never reached the consent: whatever they
    send gets the bot's usual answer, and no card or thread exists."""
    await office.repo.leads.submit(lead_draft(office.owner_id, qualified=False), None)
    owner = office.owner
    await owner.send("А почему не подхожу?")
    await owner.expect("На текстовые сообщения здесь мы не отвечаем")
    await office.idle()
    assert office.group_bot_messages() == []


# -- faults: the owner blocks the bot, topics deleted or closed --------------------------------


async def test_an_owner_who_blocked_the_bot_is_reported_in_the_thread_once(forum: Office) -> None:
    lead = await forum.submit()
    thread = await forum.topic_of(lead.id)
    forum.telegram.block_bot(forum.owner_id)
    anna = forum.anna.in_topic(thread)

    answer = await anna.send("/send Ольга, добрый день!")
    told = await anna.expect("не дошло до владельца")
    await forum.idle()

    assert told.content == "⚠️ Сообщение не дошло до владельца: владелец заблокировал бота."
    assert told.reply_to_message_id == answer.message_id and told.thread_id == thread
    assert reactions(forum, forum.group_id, answer.message_id) == []  # not marked delivered
    assert await forum.repo.outbox.pending() == []  # given up, not retried in a loop
    failed = [c for c in forum.calls("sendMessage") if c["chat_id"] == forum.owner_id]
    assert len(failed) == 1

    forum.telegram.block_bot(forum.owner_id, blocked=False)
    await anna.send("/send Снова на связи?")
    await forum.owner.expect("Снова на связи?")


async def test_a_deleted_topic_is_made_again_with_a_fresh_card(forum: Office) -> None:
    lead, old = await forum.lead_in_its_topic()
    await forum.ada.delete_topic(old)

    await forum.owner.send("Вы где? Тема пропала?")
    await forum.idle()

    new = await forum.topic_of(lead.id)
    assert new != old
    card, copy = forum.in_thread(new)
    assert card.content.startswith(f"🆕 Новая заявка №{lead.id}") and card.buttons
    assert copy.content.endswith("Вы где? Тема пропала?")
    current = await forum.repo.cards.get(lead.id)
    assert current is not None and (current.message_id, current.thread_id) == (
        card.message_id, new
    )
    notices = forum.in_thread(None)
    assert len(notices) == 2 and f"/{new}" in (notices[-1].html or "")
    assert await forum.repo.outbox.pending() == []
    assert len([t for t in forum.telegram.topics(forum.group_id) if not t.deleted]) == 1


async def test_a_closed_topic_is_reopened_when_the_owner_writes(forum: Office) -> None:
    _, thread = await forum.lead_in_its_topic()
    await forum.ada.close_topic(thread)

    await forum.owner.send("Ещё вопрос")
    await forum.idle()

    [topic] = forum.telegram.topics(forum.group_id)
    assert topic.thread_id == thread and topic.closed is False
    assert forum.in_thread(thread)[-1].content.endswith("Ещё вопрос")
    await forum.boris.in_topic(thread).send("Теперь и не администратор может ответить")


async def test_a_thread_that_stays_unreachable_is_given_up_not_looped(forum: Office) -> None:
    lead, _ = await forum.lead_in_its_topic()
    forum.telegram.inject_fault("sendMessage", "thread_not_found", count=50, chat_id=forum.group_id)

    await forum.owner.send("Алло?")
    await forum.idle()

    assert await forum.repo.outbox.pending() == []
    assert len(forum.calls("createForumTopic")) == 2  # made again once, then given up
    alerts = [c for c in forum.calls("sendMessage") if c["chat_id"] == forum.ada.id]
    assert any(f"№{lead.id}" in c["text"] for c in alerts)  # the admins are told


# -- /delete_me ------------------------------------------------------------------------------


async def test_delete_me_stops_the_relay_and_closes_the_topic_with_the_tombstone(
    forum: Office,
) -> None:
    lead = await forum.submit()
    thread = await forum.topic_of(lead.id)
    owner, anna = forum.owner, forum.anna.in_topic(thread)
    await owner.send("Мой телефон для связи +7 999 000-11-22")
    await owner.send_media("video_note")
    await anna.send("/send Спасибо, перезвоню.")
    await owner.expect("перезвоню")
    await forum.idle()
    await forum.sender.stop()  # what is on its way when the owner erases never arrives
    await anna.send("/send Ещё одно сообщение в пути")
    await owner.send("И моё сообщение в пути")

    await owner.send("/delete_me")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")
    forum.sender.start()
    await forum.idle()

    [topic] = forum.telegram.topics(forum.group_id)
    assert (topic.name, topic.closed) == (f"№{lead.id} · данные удалены", True)
    shown = [m.content for m in forum.in_thread(thread)]
    assert shown[0].startswith(f"🗑 Заявка №{lead.id} удалена")  # the card
    assert not [text for text in shown if "+7 999" in text or "владелец, заявка" in text]
    assert next(m.content for m in forum.in_thread(None)).startswith("🗑")  # the notice
    assert not any("в пути" in m.content for m in await owner_chat(forum))
    assert await forum.repo.relay.copies_in_group(lead.id) == []

    await owner.send("Я передумала, вы тут?")
    await owner.expect("На текстовые сообщения здесь мы не отвечаем")
    forum.telegram.add_member(forum.group_id, forum.ada.id, True)  # writes in closed topics
    await forum.ada.in_topic(thread).send("/send Ольга?")
    await forum.ada.expect("больше нет")
    await forum.idle()
    assert not any("Ольга?" in m.content for m in await owner_chat(forum))


# -- limits and restarts -----------------------------------------------------------------------


async def test_what_both_sides_wrote_survives_a_restart_and_arrives_once_in_order(
    db_path: Path,
) -> None:
    async with open_office(db_path, is_forum=True, bot_admin=True, start_sender=False) as office:
        lead = await office.submit()
        first = OutboxSender(office.bot, office.repo, CONTENT, office.settings,
                             views=office.sender.views, clock=office.clock)
        first.start()
        thread = await office.topic_of(lead.id)
        await office.idle()
        await first.stop()  # the process stops: nothing below is delivered by it
        for n in (1, 2, 3):
            await office.owner.send(f"Вопрос {n}")
        anna = office.anna.in_topic(thread)
        for n in (1, 2):
            await anna.send(f"/send Ответ {n}")
        assert len(await office.repo.outbox.pending()) == 5

        restarted = OutboxSender(office.bot, office.repo, CONTENT, office.settings,
                                 views=office.sender.views, clock=office.clock)
        restarted.start()
        try:
            await office.idle()
            office.clock.advance(5)  # the owner's chat: one a second
            await office.idle()
        finally:
            await restarted.stop()

        copies = [m.content.split("\n")[-1] for m in office.in_thread(thread)[1:] if m.from_bot]
        assert copies == ["Вопрос 1", "Вопрос 2", "Вопрос 3"]
        assert [m.content.split("\n")[-1] for m in await owner_chat(office)] == [
            "Ответ 1", "Ответ 2"
        ]
        assert await office.repo.outbox.pending() == []


async def test_the_relay_keeps_telegrams_limits(db_path: Path) -> None:
    """20 a minute to the group, one a second to the owner: with Telegram's flood limits on
    and the clock stepped by hand, nothing is refused and everything arrives in order."""
    clock = ShiftedClock()
    emulator = Emulator(rate_limits=RateLimits(), clock=clock.now)
    async with open_office(
        db_path, is_forum=True, bot_admin=True, clock=clock, emulator=emulator
    ) as office:
        _, thread = await office.lead_in_its_topic()
        owner, anna = office.owner, office.anna.in_topic(thread)
        for n in range(1, 26):
            await owner.send(f"Сообщение {n}")
        for n in range(1, 6):
            await anna.send(f"/send Ответ {n}")
        for _ in range(300):  # time passes (3 s a step) until everything went out
            if not await office.repo.outbox.pending():
                break
            clock.advance(3)
            await asyncio.sleep(0.02)
        await office.idle()

        limiter = office.telegram.rate_limiter
        assert limiter is not None and limiter.refused == 0
        copies = [m.content.split("\n")[-1] for m in office.in_thread(thread)[1:] if m.from_bot]
        assert copies == [f"Сообщение {n}" for n in range(1, 26)]
        assert [m.content.split("\n")[-1] for m in await owner_chat(office)] == [
            f"Ответ {n}" for n in range(1, 6)
        ]


@pytest.mark.parametrize("kind", ["429", "500", "502", "network", "timeout"])
@pytest.mark.parametrize("way", ["to the thread", "to the owner"])
async def test_telegrams_failures_delay_a_relayed_message_never_lose_or_repeat_it(
    forum: Office, kind: str, way: str
) -> None:
    """Failures before Telegram takes a message: retried until it is taken, exactly once. A
    timeout after Telegram took it (the answer lost on the way back) may repeat that one
    message, and only it: the one in flight."""
    _, thread = await forum.lead_in_its_topic()
    to_owner = way == "to the owner"
    target = forum.owner_id if to_owner else forum.group_id
    applied = kind == "timeout"
    forum.telegram.inject_fault("sendMessage", kind, count=2, chat_id=target, retry_after=1,
                                applied=applied)
    if to_owner:
        await forum.anna.in_topic(thread).send("/send Первое")
        await forum.anna.in_topic(thread).send("/send Второе")
    else:
        await forum.owner.send("Первое")
        await forum.owner.send("Второе")
    for _ in range(40):  # the back-off passes
        if not await forum.repo.outbox.pending():
            break
        forum.clock.advance(2)
        await asyncio.sleep(0.05)
    await forum.idle()

    if to_owner:
        said = [m.content.split("\n")[-1] for m in await owner_chat(forum)]
    else:
        said = [m.content.split("\n")[-1] for m in forum.in_thread(thread)[1:] if m.from_bot]
    if applied:  # each faulty call did reach Telegram: one repeat per lost answer at most
        assert len(said) <= 2 + 2 and said[-1] == "Второе"
        assert said.count("Второе") == 1 and said.index("Первое") < said.index("Второе")
    else:
        assert said == ["Первое", "Второе"]
    assert await forum.repo.outbox.pending() == []
