"""Access follows the group's membership at once: Telegram's chat_member updates replace
the cached getChatMember verdict (kept for MEMBER_CACHE_SECONDS otherwise)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import create_dispatcher
from bot.config import load_settings
from bot.content import Content
from bot.db.repos import Repositories
from tests.consultants.office import Office, open_office


@pytest.fixture
async def admin_office(db_path: Path) -> AsyncIterator[Office]:
    """The bot is an administrator of the group; membership answers are trusted for 60 s."""
    async with open_office(db_path, bot_admin=True, member_cache_seconds=60) as opened:
        yield opened


def test_the_bot_asks_telegram_for_members_changes(repo: Repositories) -> None:
    settings = load_settings(None, bot_token="1:" + "x" * 35, database_path=":memory:")
    dispatcher = create_dispatcher(settings, repo=repo, content=Content())
    assert "chat_member" in dispatcher.resolve_used_update_types()  # allowed_updates


@pytest.mark.parametrize("banned", [False, True], ids=["removed", "banned"])
async def test_a_consultant_removed_from_the_group_loses_lead_and_buttons_at_once(
    admin_office: Office, banned: bool
) -> None:
    office = admin_office
    lead = await office.submit()
    card = await office.card(lead.id)
    boris = office.boris.in_private()
    await boris.send(f"/lead {lead.id}")
    await boris.expect("Ольга Владелец")  # a consultant: trusted for the next 60 s

    office.telegram.remove_member(office.group_id, boris.id, banned=banned)
    await office.world.settle()  # Telegram's chat_member update reaches the bot

    await boris.send(f"/lead {lead.id}")
    said = [m.content for m in await boris.bot_messages()][-1]
    assert "Ольга" not in said and "+7999" not in said
    payload = office.callback_update(boris.id, card, f"gc:{lead.id}:c")
    await office.inject(payload)
    assert "только для консультантов" in office.answer_of(payload["callback_query"]["id"])["text"]
    stored = await office.repo.leads.get(lead.id)
    assert stored is not None and stored.status == "new"


async def test_a_demoted_admin_stays_a_consultant_and_a_member_added_back_is_one_at_once(
    admin_office: Office,
) -> None:
    office = admin_office
    lead = await office.submit()
    boris = office.boris.in_private()
    office.telegram.remove_member(office.group_id, boris.id)
    await office.world.settle()
    await boris.send(f"/lead {lead.id}")
    assert "Ольга" not in [m.content for m in await boris.bot_messages()][-1]

    office.telegram.add_member(office.group_id, boris.id, admin=True)
    office.telegram.set_admin(office.group_id, boris.id, admin=False)
    await office.world.settle()

    await boris.send(f"/lead {lead.id}")
    await boris.expect("Ольга Владелец")
    # Decided by what Telegram reported, without asking it once about Boris.
    assert [c for c in office.calls("getChatMember") if c["user_id"] == boris.id] == []
