"""Story: nothing is lost when Telegram throttles, fails, moves or loses the group; every
card is posted once, in order, and the admins hear about an outage once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiogram.client.telegram import TelegramAPIServer

from bot.app import create_bot
from bot.db import Database
from bot.db.leads import Notification
from bot.db.repos import Repositories
from bot.emulator import Emulator, serving
from bot.outbox import OutboxSender, SlaWatcher
from tests.consultants.office import CONTENT, Office, lead_draft, open_office
from tests.kit.http_session import LocalHttpSession


def group_posts(office: Office, chat_id: int | None = None) -> list:
    chat = office.group_id if chat_id is None else chat_id
    return [c for c in office.telegram.calls("sendMessage") if c.params.get("chat_id") == chat]


async def test_a_throttled_post_waits_retry_after_and_is_posted_once(office: Office) -> None:
    office.telegram.inject_fault("sendMessage", "429", retry_after=3, chat_id=office.group_id)
    lead = await office.submit()
    await office.idle()
    refused_at = office.clock.now()

    assert office.cards(lead.id) == []
    assert len(group_posts(office)) == 1  # no inline retry: the sender rescheduled the row
    row = (await office.repo.outbox.pending())[0]
    assert 2.9 <= row.next_attempt_at - refused_at <= 3.1

    office.clock.advance(2.8)
    await office.looked()
    assert office.cards(lead.id) == []

    office.clock.advance(0.3)
    await office.card(lead.id)
    await office.idle()
    assert office.clock.now() - refused_at >= 3
    assert len(office.cards(lead.id)) == 1
    assert [c.ok for c in group_posts(office)] == [False, True]


async def test_three_server_errors_in_a_row_then_the_card_is_posted_once(
    office: Office,
) -> None:
    office.telegram.inject_fault("sendMessage", "500", count=3, chat_id=office.group_id)
    lead = await office.submit()

    for expected_attempts in (1, 2, 3):
        await office.idle()
        assert len(group_posts(office)) == expected_attempts
        assert office.cards(lead.id) == []
        office.clock.advance(2 ** (expected_attempts - 1))  # 1 s, 2 s, 4 s backoff

    await office.card(lead.id)
    await office.idle()
    assert len(office.cards(lead.id)) == 1
    assert [c.ok for c in group_posts(office)] == [False, False, False, True]


async def test_network_failures_are_retried_with_backoff(office: Office) -> None:
    office.telegram.inject_fault("sendMessage", "network", count=2, chat_id=office.group_id)
    lead = await office.submit()
    await office.idle()
    assert office.cards(lead.id) == []

    office.clock.advance(1)
    await office.idle()
    office.clock.advance(2)

    await office.card(lead.id)
    assert len(office.cards(lead.id)) == 1


async def test_cards_are_posted_in_the_order_the_leads_came(office: Office) -> None:
    office.telegram.inject_fault("sendMessage", "429", retry_after=5, chat_id=office.group_id)
    first = await office.submit()
    second = await office.submit(user_id=office.new_owner())
    third = await office.submit(user_id=office.new_owner())
    await office.idle()
    assert office.group_bot_messages() == []  # the throttled head holds the others back

    office.clock.advance(5)
    for lead in (first, second, third):
        await office.card(lead.id)
    await office.idle()

    order = [int(m.content.split("№")[1].split()[0]) for m in office.group_bot_messages()]
    assert order == [first.id, second.id, third.id]


async def test_the_group_gets_at_most_the_configured_messages_per_minute(db_path: Path) -> None:
    async with open_office(db_path, group_messages_per_minute=3) as office:
        leads = [await office.submit(user_id=office.new_owner()) for _ in range(5)]
        for lead in leads[:3]:
            await office.card(lead.id)
        await office.looked()
        assert len(office.group_bot_messages()) == 3

        office.clock.advance(30)
        await office.looked()
        assert len(office.group_bot_messages()) == 3

        office.clock.advance(31)
        for lead in leads:
            await office.card(lead.id)
        await office.idle()
        assert len(office.group_bot_messages()) == 5


async def test_a_restarted_sender_posts_each_pending_card_once(
    office: Office, db_path: Path
) -> None:
    office.telegram.inject_fault("sendMessage", "500", count=1, chat_id=office.group_id)
    leads = [await office.submit(user_id=office.new_owner()) for _ in range(3)]
    await office.idle()
    assert office.group_bot_messages() == []

    # The process dies: the sender is cancelled mid-wait and its database goes away.
    task = office.sender._task
    assert task is not None
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    office.sender._task = None

    db = await Database(db_path).connect()
    try:
        restarted = OutboxSender(office.bot, Repositories.create(db), CONTENT, office.settings,
                                   views=office.sender.views,
                                 clock=office.clock)
        office.use_sender(restarted)
        restarted.start()
        office.clock.advance(1)
        for lead in leads:
            await office.card(lead.id)
        await office.idle()
        await restarted.stop(1.0)

        # And once more: a third start finds nothing to do.
        again = OutboxSender(office.bot, Repositories.create(db), CONTENT, office.settings,
                                   views=office.sender.views,
                             clock=office.clock)
        assert await again.deliver_due() == float("inf")
    finally:
        await db.close()

    for lead in leads:
        assert len(office.cards(lead.id)) == 1
    assert len([c for c in group_posts(office) if c.ok]) == 3


async def test_a_group_upgraded_to_a_supergroup_is_followed(db_path: Path) -> None:
    async with open_office(db_path, group_type="group") as office:
        old_id = office.group_id
        office.telegram.inject_fault("sendMessage", "migrate", chat_id=old_id)

        lead = await office.submit()
        card = await office.card(lead.id)

        new_id = office.telegram.chats[old_id].migrated_to
        assert new_id is not None and card.chat_id == new_id
        assert await office.consultants.binding.chat_id() == new_id
        assert await office.repo.kv.get("group.chat_id") == str(new_id)
        assert len(office.cards(lead.id, new_id)) == 1
        # The consultants work on in the supergroup.
        anna = office.anna.in_chat(office.world_group(new_id))
        await anna.click("Взять в работу", on=card)
        assert (await office.repo.leads.get(lead.id)).status == "claimed"  # type: ignore[union-attr]


async def test_the_upgrade_service_message_moves_the_binding_before_any_post(
    db_path: Path,
) -> None:
    async with open_office(db_path, group_type="group") as office:
        new_id = office.telegram.migrate_group(office.group_id)
        await office.world.settle()

        assert await office.consultants.binding.chat_id() == new_id
        lead = await office.submit()
        card = await office.card(lead.id)
        assert card.chat_id == new_id
        assert group_posts(office, office.group_id) == []


def admin_messages(office: Office) -> list[str]:
    return [m.text or "" for m in office.telegram.bot_messages(office.ada.id)]


async def test_bot_removed_from_the_group_leads_wait_admins_told_once_backlog_follows(
    office: Office,
) -> None:
    office.telegram.set_bot_in_chat(office.group_id, False)
    await office.world.settle()
    leads = [await office.submit(user_id=office.new_owner()) for _ in range(3)]
    await office.idle()
    office.clock.advance(10)
    await office.idle()

    assert office.group_bot_messages() == []
    assert len(await office.repo.outbox.pending()) == 3
    downs = [t for t in admin_messages(office) if "не доходят" in t]
    assert len(downs) == 1 and "удалили" in downs[0]

    office.telegram.set_bot_in_chat(office.group_id, True)
    await office.world.settle()
    for lead in leads:
        await office.card(lead.id)
    await office.idle()

    assert all(len(office.cards(lead.id)) == 1 for lead in leads)
    assert len([t for t in admin_messages(office) if "не доходят" in t]) == 1
    assert len([t for t in admin_messages(office) if "снова доступна" in t]) == 1


async def test_chat_not_found_is_an_outage_until_a_post_succeeds_again(office: Office) -> None:
    office.telegram.inject_fault("sendMessage", "chat_not_found", count=3, chat_id=office.group_id)
    first = await office.submit(user_id=office.new_owner())
    second = await office.submit(user_id=office.new_owner())
    await office.idle()
    for _ in range(3):
        office.clock.advance(300)
        await office.idle()

    await office.card(first.id)
    await office.card(second.id)
    await office.idle()
    downs = [t for t in admin_messages(office) if "не доходят" in t]
    assert len(downs) == 1 and "не найдена" in downs[0]
    assert len([t for t in admin_messages(office) if "снова доступна" in t]) == 1


async def test_with_no_group_bound_leads_wait_until_an_admin_binds_one(db_path: Path) -> None:
    async with open_office(db_path, bind_by_setting=False) as office:
        lead = await office.submit()
        await office.idle()
        assert office.group_bot_messages() == []
        assert any("не привязана" in t for t in admin_messages(office))

        await office.ada.send("/bind")

        card = await office.card(lead.id)
        assert card.chat_id == office.group_id
        assert "заявки будут приходить в этот чат" in (await office.ada.expect("Готово")).content


async def test_an_unclaimed_lead_gets_one_sla_reminder_as_a_reply_to_its_card(
    office: Office,
) -> None:
    waiting = await office.submit(user_id=office.new_owner())
    taken = await office.submit(user_id=office.new_owner())
    waiting_card = await office.card(waiting.id)
    await office.press(office.anna, await office.card(taken.id), "Взять в работу")
    sla = SlaWatcher(office.repo, office.settings, office.sender.wakeup, clock=office.clock)

    assert await sla.check() == []
    office.clock.advance(office.settings.sla_minutes * 60 + 1)
    assert await sla.check() == [waiting.id]
    assert await sla.check() == []
    await office.idle()

    reminders = [m for m in office.group_bot_messages() if m.content.startswith("⏰")]
    assert len(reminders) == 1
    assert f"№{waiting.id}" in reminders[0].content
    assert reminders[0].reply_to_message_id == waiting_card.message_id
    office.clock.advance(3600)
    assert await sla.check() == []


async def test_a_reminder_for_a_lead_claimed_meanwhile_is_not_posted(office: Office) -> None:
    lead = await office.submit()
    await office.card(lead.id)
    office.telegram.inject_fault("sendMessage", "500", count=1, chat_id=office.group_id)
    sla = SlaWatcher(office.repo, office.settings, office.sender.wakeup, clock=office.clock)
    office.clock.advance(office.settings.sla_minutes * 60 + 1)
    await sla.check()
    await office.idle()

    await office.press(office.anna, await office.card(lead.id), "Взять в работу")
    office.clock.advance(5)
    await office.idle()

    assert [m for m in office.group_bot_messages() if m.content.startswith("⏰")] == []
    assert await office.repo.outbox.pending() == []


async def test_a_throttled_post_over_real_http_waits_three_real_seconds(db_path: Path) -> None:
    emulator = Emulator()
    http_bot = None
    async with serving(emulator) as base_url:
        try:
            async with open_office(db_path, emulator=emulator, start_sender=False) as office:
                http_settings = office.settings.model_copy(update={"telegram_api_base": base_url})
                http_bot = create_bot(
                    http_settings,
                    session=LocalHttpSession(api=TelegramAPIServer.from_base(base_url)),
                )
                sender = OutboxSender(http_bot, office.repo, CONTENT, office.settings,
                                      views=office.sender.views)
                office.telegram.inject_fault("sendMessage", "429", retry_after=3, chat_id=office.group_id)
                sender.start()
                started = time.monotonic()
                result = await office.repo.leads.submit(
                    lead_draft(office.owner_id), Notification("lead_card", None, {})
                )
                sender.wake()
                await office.card(result.lead.id, wait=6.0)
                elapsed = time.monotonic() - started
                await sender.stop(1.0)

                posts = group_posts(office)
                assert [c.ok for c in posts] == [False, True]
                assert posts[1].ts - posts[0].ts >= 3.0
                assert elapsed >= 3.0  # Telegram asked for 3 s; no upper bound on a busy machine
                assert len(office.cards(result.lead.id)) == 1
        finally:
            if http_bot is not None:
                await http_bot.session.close()


async def test_admins_are_told_at_once_when_the_bot_is_removed_even_without_leads(
    office: Office,
) -> None:
    office.telegram.set_bot_in_chat(office.group_id, False)
    await office.world.settle()
    await office.idle()

    assert len([t for t in admin_messages(office) if "не доходят" in t]) == 1

    office.telegram.set_bot_in_chat(office.group_id, True)
    await office.world.settle()
    lead = await office.submit()
    await office.card(lead.id)
    await office.idle()
    assert len([t for t in admin_messages(office) if "снова доступна" in t]) == 1
