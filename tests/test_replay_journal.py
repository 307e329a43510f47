"""A replayed update does not send twice: journaled responses come back as real objects."""

from __future__ import annotations

from aiogram.types import Message

from bot.app import create_bot
from bot.config import Settings
from bot.db.repos import Repositories
from bot.emulator.session import EmulatorSession
from bot.emulator.world import Emulator
from bot.replay_journal import UpdateScope, handling_update


async def test_replay_returns_the_recorded_message_instead_of_sending_again(
    settings: Settings, repo: Repositories
) -> None:
    emulator = Emulator()
    bot = create_bot(settings, session=EmulatorSession(emulator), journal=repo.journal)
    world = emulator.world(bot.token)
    owner = world.add_user(first_name="Анна", started=True)
    with handling_update(UpdateScope(update_id=77, replay=False)):
        first = await bot.send_message(owner.id, "<b>Урок 1</b>")
        second = await bot.send_message(owner.id, "Урок 2")
    scope = UpdateScope(update_id=77, replay=True, recorded=await repo.journal.recorded(77))
    with handling_update(scope):
        again = await bot.send_message(owner.id, "<b>Урок 1</b>")
        more = await bot.send_message(owner.id, "Урок 2")
        extra = await bot.send_message(owner.id, "Урок 3")  # not sent before the crash
    assert isinstance(again, Message) and again.message_id == first.message_id
    assert again.text == "Урок 1" and more.message_id == second.message_id
    assert extra.message_id > second.message_id
    texts = [m.text for m in world.bot_messages(owner.id)]
    assert texts == ["Урок 1", "Урок 2", "Урок 3"]
    await bot.session.close()


async def test_a_message_echoing_link_preview_options_is_journaled_and_replayed(
    settings: Settings, repo: Repositories
) -> None:
    """Telegram returns {"is_disabled": true}; aiogram fills the rest of LinkPreviewOptions
    with Default placeholders, which the journal must not choke on (issue 12 #1)."""
    emulator = Emulator()
    bot = create_bot(settings, session=EmulatorSession(emulator), journal=repo.journal)
    owner = emulator.world(bot.token).add_user(first_name="Анна", started=True)
    with handling_update(UpdateScope(update_id=78, replay=False)):
        sent = await bot.send_message(owner.id, "https://example.com")
    assert sent.link_preview_options is not None and sent.link_preview_options.is_disabled
    scope = UpdateScope(update_id=78, replay=True, recorded=await repo.journal.recorded(78))
    with handling_update(scope):
        again = await bot.send_message(owner.id, "https://example.com")
    assert again.message_id == sent.message_id
    assert again.link_preview_options is not None and again.link_preview_options.is_disabled
    await bot.session.close()


async def test_calls_outside_update_handling_are_not_journaled(
    settings: Settings, repo: Repositories
) -> None:
    emulator = Emulator()
    bot = create_bot(settings, session=EmulatorSession(emulator), journal=repo.journal)
    owner = emulator.world(bot.token).add_user(first_name="Анна", started=True)
    await bot.send_message(owner.id, "hello")
    assert await repo.db.fetchval("SELECT count(*) FROM sent_journal") == 0
    await bot.session.close()


async def test_journal_of_finished_updates_is_forgotten(settings: Settings, repo: Repositories) -> None:
    await repo.inbox.store([(1, "{}"), (2, "{}")])
    await repo.journal.record(1, 1, "sendMessage", '{"text": "+79161234567"}')
    await repo.journal.record(2, 1, "sendMessage", '{"text": "still pending"}')
    await repo.inbox.mark_done(1)  # its journal goes in the same transaction
    assert await repo.journal.recorded(1) == {}
    assert set(await repo.journal.recorded(2)) == {1}
    await repo.inbox.mark_failed(2, "boom")
    assert await repo.journal.recorded(2) == {}


async def test_journal_rows_left_behind_are_swept_in_batches(repo: Repositories) -> None:
    await repo.inbox.store([(1, "{}")])
    await repo.journal.record(1, 1, "sendMessage", '{"text": "pending"}')
    for update_id in range(100, 1_300):  # updates no longer in the inbox
        await repo.journal.record(update_id, 1, "sendMessage", '{"text": "+79161234567"}')
    assert await repo.journal.forget_finished(batch=500) == 1_200
    assert await repo.db.fetchval("SELECT count(*) FROM sent_journal") == 1
    assert set(await repo.journal.recorded(1)) == {1}
