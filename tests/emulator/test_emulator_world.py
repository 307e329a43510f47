"""The in-memory world: users, groups, update shapes, privacy, events (no HTTP)."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.types import Update

from bot.emulator import BotWorld, ControlError, Emulator
from bot.emulator.errors import ApiError
from bot.emulator.payloads import MEDIA_KINDS
from tests.waiting import until_suspended


def parse(update: dict | None) -> Update:
    assert update is not None
    return Update.model_validate(update)


def test_malformed_token_is_unauthorized() -> None:
    emulator = Emulator()
    for token in ("", "abc", "123:", ":abc", "12a:xyz", "123:bad token"):
        with pytest.raises(ApiError) as error:
            emulator.world(token)
        assert (error.value.error_code, error.value.description) == (401, "Unauthorized")


def test_other_secret_for_the_same_bot_id_is_unauthorized() -> None:
    emulator = Emulator()
    emulator.world("42:first")
    with pytest.raises(ApiError):
        emulator.world("42:second")


def test_bot_identity_comes_from_token_and_configuration() -> None:
    emulator = Emulator(usernames={"77:abc": "funnel_bot"}, first_names={"77:abc": "Воронка"})
    configured = emulator.world("77:abc")
    default = emulator.world("78:abc")
    assert (configured.bot_id, configured.username, configured.first_name) == (
        77,
        "funnel_bot",
        "Воронка",
    )
    assert default.username == "bot78_bot"


def test_world_created_by_id_binds_its_token_on_first_call() -> None:
    emulator = Emulator()
    early = emulator.world_by_id(55)
    early.add_user(1, "Анна")
    assert emulator.world("55:secret") is early
    assert early.token == "55:secret"


def test_start_command_update_has_telegram_shape(world: BotWorld) -> None:
    world.add_user(1001, "Анна", username="anna")
    receipt = world.send_text(1001, "/start lesson_2")
    update = receipt.update
    assert update is not None
    message = update["message"]
    assert message["chat"] == {
        "id": 1001,
        "type": "private",
        "first_name": "Анна",
        "username": "anna",
    }
    assert message["from"]["id"] == 1001 and message["from"]["is_bot"] is False
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert isinstance(message["date"], int)
    parsed = parse(update)
    assert parsed.message is not None and parsed.message.text == "/start lesson_2"


def test_command_with_bot_username_gets_one_entity(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    update = world.send_text(1, f"/help@{world.username} now").update
    assert update is not None
    entity = update["message"]["entities"][0]
    assert entity == {"type": "bot_command", "offset": 0, "length": len(f"/help@{world.username}")}


def test_entities_offsets_are_utf16(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    update = world.send_text(1, "😀 /start").update
    assert update is not None
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 3, "length": 6}]


def test_update_ids_and_message_ids_increase(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    world.add_user(2, "Борис")
    first = world.send_text(1, "a")
    second = world.send_text(1, "b")
    other = world.send_text(2, "c")
    assert [first.update_id, second.update_id, other.update_id] == [1, 2, 3]
    assert [first.message_id, second.message_id, other.message_id] == [1, 2, 1]


def test_reply_includes_replied_message(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    original = world.send_text(1, "first")
    reply = world.send_text(1, "second", reply_to_message_id=original.message_id)
    assert reply.update is not None
    assert reply.update["message"]["reply_to_message"]["text"] == "first"
    assert "reply_to_message" not in reply.update["message"]["reply_to_message"]


def test_privacy_mode_hides_plain_group_chatter(world: BotWorld) -> None:
    world.add_user(1, "Ирина")
    group = world.add_group(title="Консультанты", type="supergroup", members=[1])
    assert world.send_text(1, "просто болтаю", chat_id=group.id).update is None
    assert world.send_text(1, "/take", chat_id=group.id).update is not None
    assert world.send_text(1, "/take@other_bot", chat_id=group.id).update is None
    assert world.send_text(1, f"эй @{world.username}", chat_id=group.id).update is not None
    # the chatter is still visible in the chat
    assert world.messages(group.id)[0].text == "просто болтаю"


def test_replies_to_the_bot_reach_it_in_privacy_mode(world: BotWorld) -> None:
    world.add_user(1, "Ирина")
    group = world.add_group(title="Консультанты", members=[1])
    bot_message = world.post_message(group, sender=world.bot_user, from_bot=True, text="Заявка")
    receipt = world.send_text(1, "беру", chat_id=group.id, reply_to_message_id=1)
    assert receipt.update is not None
    assert receipt.update["message"]["reply_to_message"]["message_id"] == bot_message.message_id


def test_admin_bot_sees_everything_in_groups(world: BotWorld) -> None:
    world.add_user(1, "Ирина")
    group = world.add_group(title="Консультанты", members=[1], bot_admin=True)
    assert world.send_text(1, "просто болтаю", chat_id=group.id).update is not None


def test_forum_topic_messages_carry_thread_id(world: BotWorld) -> None:
    world.add_user(1, "Ирина")
    forum = world.add_group(title="Форум", type="supergroup", is_forum=True, members=[1])
    world.privacy_mode = False
    world.create_topic(forum.id, "Тема", by=1, thread_id=7)
    update = world.send_text(1, "в теме", chat_id=forum.id, thread_id=7).update
    assert update is not None
    assert update["message"]["message_thread_id"] == 7
    assert update["message"]["is_topic_message"] is True
    assert update["message"]["chat"]["is_forum"] is True


def test_non_member_cannot_post_in_group(world: BotWorld) -> None:
    world.add_user(1, "Чужой")
    group = world.add_group(title="Консультанты")
    with pytest.raises(ControlError):
        world.send_text(1, "привет", chat_id=group.id)


def test_click_builds_callback_query_with_current_message(world: BotWorld) -> None:
    world.add_user(1, "Анна", started=True)
    chat = world.chats[1]
    markup = {"inline_keyboard": [[{"text": "Далее", "callback_data": "next"}]]}
    message = world.post_message(
        chat, sender=world.bot_user, from_bot=True, text="Урок", reply_markup=markup
    )
    receipt = world.click(1, 1, message.message_id, "next")
    assert receipt.update is not None
    query = receipt.update["callback_query"]
    assert query["id"] == receipt.query_id and isinstance(query["id"], str)
    assert query["data"] == "next"
    assert query["message"]["reply_markup"] == markup
    assert (
        query["chat_instance"]
        == world.click(1, 1, message.message_id, "x").update["callback_query"]["chat_instance"]
    )
    assert parse(receipt.update).callback_query is not None


def test_click_on_unknown_message_sends_inaccessible_message(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    update = world.click(1, 1, 999, "forged").update
    assert update is not None
    assert update["callback_query"]["message"]["date"] == 0
    parse(update)


def test_shared_contact_update(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    update = world.share_contact(1, "79161234567", contact_user_id=1).update
    assert update is not None
    contact = update["message"]["contact"]
    assert contact == {"phone_number": "79161234567", "first_name": "Анна", "user_id": 1}
    assert parse(update).message.contact.phone_number == "79161234567"


@pytest.mark.parametrize("kind", MEDIA_KINDS)
def test_every_media_kind_parses_as_aiogram_update(world: BotWorld, kind: str) -> None:
    world.add_user(1, "Анна")
    receipt = world.send_media(1, kind)
    message = parse(receipt.update).message
    assert message is not None
    assert getattr(message, kind) is not None
    assert receipt.message is not None and receipt.message.kind == kind


def test_inline_query_update(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    receipt = world.inline_query(1, "курс")
    assert parse(receipt.update).inline_query.query == "курс"


def test_edited_user_message_update_and_history(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    sent = world.send_text(1, "оборот 3 млн")
    edited = world.edit_user_message(1, 1, sent.message_id, "оборот 5 млн")
    assert edited.update is not None
    assert edited.update["edited_message"]["text"] == "оборот 5 млн"
    assert "edit_date" in edited.update["edited_message"]
    assert world.messages(1)[0].history[0]["text"] == "оборот 3 млн"


def test_raw_injection_keeps_given_duplicate_ids(world: BotWorld) -> None:
    world.inject_update({"update_id": 500, "message": {"garbage": True}})
    world.inject_update({"update_id": 500, "message": {"garbage": True}})
    ids = [update["update_id"] for update in world.pending_updates()]
    assert ids == [500, 500]
    world.add_user(1, "Анна")
    assert world.send_text(1, "next").update_id == 501


def test_blocking_the_bot_notifies_it(world: BotWorld) -> None:
    world.add_user(1, "Анна", started=True)
    world.block_bot(1)
    update = world.pending_updates()[-1]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    parse(update)


def test_removing_the_bot_from_group_emits_my_chat_member(world: BotWorld) -> None:
    world.add_user(1, "Ирина")
    group = world.add_group(title="Консультанты", members=[1], admins=[1])
    world.set_bot_in_chat(group.id, present=False, by=1)
    update = world.pending_updates()[-1]["my_chat_member"]
    assert (update["old_chat_member"]["status"], update["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    assert update["from"]["id"] == 1


def test_chat_member_updates_are_filtered_by_default(world: BotWorld) -> None:
    world.add_user(1, "Ирина")
    group = world.add_group(title="Консультанты", bot_admin=True)
    world.add_member(group.id, 1)
    assert world.pending_updates() == []
    world.set_allowed_updates(["message", "chat_member"])
    world.remove_member(group.id, 1)
    assert world.pending_updates()[-1]["chat_member"]["new_chat_member"]["status"] == "left"


def test_chat_member_updates_come_only_where_the_bot_is_an_admin(world: BotWorld) -> None:
    """Bot API, Update.chat_member: «The bot must be an administrator in the chat and must
    explicitly specify "chat_member" in the list of allowed_updates»."""
    world.add_user(1, "Ирина")
    world.set_allowed_updates(["message", "chat_member"])
    plain = world.add_group(title="Без прав", members=[1])
    world.remove_member(plain.id, 1)
    assert world.pending_updates() == []

    group = world.add_group(title="Консультанты", members=[1], admins=[1], bot_admin=True)
    world.set_admin(group.id, 1, admin=False)
    world.remove_member(group.id, 1, banned=True)
    world.add_member(group.id, 1)
    changes = [
        (u["chat_member"]["old_chat_member"]["status"], u["chat_member"]["new_chat_member"]["status"])
        for u in world.pending_updates()
    ]
    assert changes == [("administrator", "member"), ("member", "kicked"), ("kicked", "member")]
    for update in world.pending_updates():
        parse(update)


def test_migration_creates_supergroup_and_service_messages(world: BotWorld) -> None:
    world.add_user(1, "Ирина")
    group = world.add_group(chat_id=-4001, title="Консультанты", members=[1])
    new_id = world.migrate_group(group.id)
    assert str(new_id).startswith("-100")
    assert world.chats[new_id].type == "supergroup"
    assert world.chats[new_id].members == {1}
    kinds = [next(k for k in u["message"] if "migrate" in k) for u in world.pending_updates()]
    assert kinds == ["migrate_to_chat_id", "migrate_from_chat_id"]


def test_events_are_sequenced_and_filterable(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    world.add_user(2, "Борис")
    world.send_text(1, "a")
    world.send_text(2, "b")
    assert [e.seq for e in world.events()] == [1, 2]
    assert [e.message.text for e in world.events(0, chat_id=2)] == ["b"]
    assert world.events(2) == []


async def test_wait_events_wakes_on_new_event(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    waiter = asyncio.create_task(world.wait_events(0, timeout=5))
    await until_suspended(waiter)
    assert not waiter.done()
    world.send_text(1, "hello")
    events = await asyncio.wait_for(waiter, 1)
    assert [event.kind for event in events] == ["message"]


async def test_wait_events_times_out_empty(world: BotWorld) -> None:
    assert await world.wait_events(0, timeout=0.05) == []


def test_reset_forgets_state_but_keeps_counters_increasing(world: BotWorld) -> None:
    world.add_user(1, "Анна")
    world.send_text(1, "a")
    world.reset()
    assert world.users == {} and world.pending_updates() == [] and world.events() == []
    world.add_user(1, "Анна")
    receipt = world.send_text(1, "b")
    assert receipt.update_id == 2 and receipt.seq == 2


def test_fresh_ids_do_not_collide(world: BotWorld) -> None:
    first, second = world.add_user(first_name="A"), world.add_user(first_name="B")
    assert first.id != second.id
    group, supergroup = world.add_group(title="g"), world.add_group(title="s", type="supergroup")
    assert group.id < 0 and str(supergroup.id).startswith("-100")


async def test_interrupt_ends_running_waits_only(world: BotWorld) -> None:
    waiter = asyncio.create_task(world.wait_events(0, timeout=5))
    await until_suspended(waiter)
    world.interrupt_waiters()
    assert await asyncio.wait_for(waiter, 1) == []
    later = asyncio.create_task(world.wait_events(0, timeout=5))
    await until_suspended(later)
    assert not later.done()
    world.add_user(1, "Анна")
    world.send_text(1, "hi")
    assert len(await asyncio.wait_for(later, 1)) == 1
