"""The real process over HTTP: after a real request, the owner and a consultant talk through
the bot — in the lead's own topic of a forum group, and in a plain group while the process
is killed with SIGKILL and started again — and only /send ever reaches the owner."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import BOT_ID, BotProcess, started_with_owner
from tests.e2e.test_request_outcomes_e2e import query
from tests.kit.http_driver import HttpWorld
from tests.stories import send_the_request
from tests.waiting import wait_until

pytestmark = pytest.mark.process


async def lines(http_world: HttpWorld, chat_id: int, thread_id: int | None = None) -> list[str]:
    """The last line of every bot message in a chat (or one topic of it), oldest first."""
    found = await http_world.remote.messages(chat_id)
    return [
        (m.get("text") or m.get("caption") or "").split("\n")[-1]
        for m in found
        if m["from_bot"] and (thread_id is None or m.get("message_thread_id") == thread_id)
    ]


async def test_a_conversation_in_the_leads_topic_through_the_real_process(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    group = await http_world.group("Консультанты", is_forum=True, bot_admin=True)
    anna = await http_world.member(group, "Анна")
    ada = await http_world.member(group, "Ада", admin=True)
    bot_process.env.update(CONSULTANTS_CHAT_ID=str(group.chat_id), ADMIN_IDS=str(ada.id))
    owner = await started_with_owner(bot_process, http_world, "Ольга")
    await send_the_request(owner)
    notice = await anna.expect("открыть тему")
    [topic] = [t for t in await http_world.remote.topics(group.chat_id)
               if t["creator_id"] == BOT_ID]
    thread = topic["message_thread_id"]
    assert topic["name"].startswith("№1 · ООО «Ромашка»")
    assert f"/{thread}" in (notice.html or "")

    await owner.send("Здравствуйте! Когда сможете позвонить?")
    copy = await anna.expect("Когда сможете позвонить?")
    assert copy.thread_id == thread and "владелец, заявка №1" in copy.content

    in_topic = anna.in_topic(thread)
    await in_topic.send("Горячий клиент, звоню сегодня")  # a note for the team
    await in_topic.send("/send Добрый день! Позвоню в 15:00.")
    said = await owner.expect("Анна, консультант")
    assert said.content.endswith("Позвоню в 15:00.")

    owners_media = ("voice", "video_note", "document", "sticker", "location")
    for kind in owners_media:
        await owner.send_media(kind)
    await in_topic.send_media("photo", caption="/send Вот пример отчёта")
    photo = await owner.expect("Вот пример отчёта")
    assert photo.kind == "photo"
    circle = await in_topic.send_media("video_note")
    await in_topic.send("/send", reply_to=circle)

    async def media_arrived() -> bool:
        in_thread = {m["kind"] for m in await http_world.remote.messages(group.chat_id)
                     if m["from_bot"] and m.get("message_thread_id") == thread}
        to_owner = {m["kind"] for m in await http_world.remote.messages(owner.id)
                    if m["from_bot"]}
        return set(owners_media) <= in_thread and "video_note" in to_owner

    await wait_until(media_arrived, what="every medium copied to the other side")
    everything_said = " ".join(m.content for m in await owner.bot_messages())
    assert "Горячий клиент" not in everything_said

    await ada.send("/stats")
    stats = await ada.expect("Время до первого контакта")
    assert "(1 заявка)" in stats.content and "Анна" in stats.content
    assert "Traceback" not in bot_process.log()


async def test_nothing_written_is_lost_when_the_process_is_killed_mid_conversation(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    """Owner and consultant write in bursts while the process is killed (SIGKILL) twice:
    after each restart everything arrives, in order; a message may come twice only as the
    one in flight at a kill (never more repeats than kills)."""
    group = await http_world.group("Консультанты")
    anna = await http_world.member(group, "Анна")
    bot_process.env.update(CONSULTANTS_CHAT_ID=str(group.chat_id), ADMIN_IDS=str(anna.id))
    owner = await started_with_owner(bot_process, http_world, "Ольга")
    await send_the_request(owner)
    card = await anna.expect("Новая заявка")

    async def card_recorded() -> bool:  # so the kills below cannot make it post again
        return query(bot_process, "SELECT count(*) FROM outbox WHERE status = 'pending'") == [
            (0,)
        ] and query(bot_process, "SELECT message_id FROM lead_cards") == [(card.message_id,)]

    await wait_until(card_recorded, what="the card on record")
    kills = 0

    questions = [f"Вопрос {n}" for n in range(1, 9)]
    for text in questions:
        await owner.send(text)
    await bot_process.kill()
    kills += 1
    await bot_process.start()
    answers = [f"Ответ {n}" for n in range(1, 6)]
    for text in answers:
        await anna.send(f"/send {text}", reply_to=card)
    async def some_answers_out() -> bool:  # the kill lands in the middle of the burst
        return any(line in answers for line in await lines(http_world, owner.id))

    await wait_until(some_answers_out, what="the first answers to reach the owner")
    await bot_process.kill()
    kills += 1
    await bot_process.start()

    async def everything_arrived() -> bool:
        in_group = set(await lines(http_world, group.chat_id))
        to_owner = set(await lines(http_world, owner.id))
        return set(questions) <= in_group and set(answers) <= to_owner

    try:
        await wait_until(everything_arrived, timeout=60, what="every relayed message")
    except AssertionError:
        raise AssertionError(
            f"group: {await lines(http_world, group.chat_id)}; "
            f"owner: {await lines(http_world, owner.id)}; log: {bot_process.log()[-3000:]}"
        ) from None
    for said, sent in ((await lines(http_world, group.chat_id), questions),
                       (await lines(http_world, owner.id), answers)):
        relayed = [line for line in said if line in sent]
        assert _first_seen(relayed) == sent  # in order
        assert len(relayed) - len(sent) <= kills, relayed  # only the ones in flight
    assert "Traceback" not in bot_process.log()


def _first_seen(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


async def test_round_robin_a_deleted_topic_and_a_blocked_bot_through_the_real_process(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    group = await http_world.group("Консультанты", is_forum=True, bot_admin=True)
    anna = await http_world.member(group, "Анна")
    boris = await http_world.member(group, "Борис")
    ada = await http_world.member(group, "Ада", admin=True)
    bot_process.env.update(
        CONSULTANTS_CHAT_ID=str(group.chat_id), ADMIN_IDS=str(ada.id), ASSIGNMENT="round_robin"
    )
    await bot_process.start()
    for consultant in (anna, boris):
        await consultant.send("/duty on")
        await consultant.expect("Вы на дежурстве")

    async def assigned(number: int) -> str:
        rows = query(bot_process, "SELECT assignee_name FROM leads WHERE id = ?", number)
        return str(rows[0][0]) if rows and rows[0][0] else ""

    olga, ivan, petr = [await http_world.user(name) for name in ("Ольга", "Иван", "Пётр")]
    await send_the_request(olga)
    await wait_until(lambda: _named(assigned(1), "Анна"), what="lead 1 assigned to Анна")
    await send_the_request(ivan)
    await wait_until(lambda: _named(assigned(2), "Борис"), what="lead 2 assigned to Борис")
    await boris.send("/duty off")
    await boris.expect("Вы не на дежурстве")
    await send_the_request(petr)
    await wait_until(lambda: _named(assigned(3), "Анна"), what="lead 3 assigned to Анна again")
    await ada.send("/duty")
    on_duty = await ada.expect("На дежурстве:")
    assert "Анна" in on_duty.content and "Борис" not in on_duty.content

    # Someone deletes the topic of lead 1: the owner's next message makes it again.
    topics = {t["name"].split(" · ")[0]: t["message_thread_id"]
              for t in await http_world.remote.topics(group.chat_id) if not t["deleted"]}
    await http_world.remote.delete_topic(group.chat_id, topics["№1"])
    await olga.send("Тема пропала?")
    await anna.expect("Тема пропала?")
    [remade] = [t for t in await http_world.remote.topics(group.chat_id)
                if t["name"].startswith("№1") and not t["deleted"]]
    assert remade["message_thread_id"] != topics["№1"]

    # Иван blocks the bot: Борис's message to him is reported in the thread, once.
    await http_world.remote.block_bot(ivan.id)
    in_topic = boris.in_topic(topics["№2"])
    await in_topic.send("/send Иван, добрый день!")
    told = await boris.expect("не дошло до владельца")
    assert "заблокировал" in told.content
    assert "Traceback" not in bot_process.log()


async def _named(found: Any, name: str) -> bool:
    return name in await found
