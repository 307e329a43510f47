"""Admins build tracked links with /link; the source they name is counted for newcomers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.db.repos import Repositories
from tests.conftest import TEST_TOKEN
from tests.kit.inprocess_driver import InProcessWorld

ADMIN_ID = 4242


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return load_settings(None, bot_token=TEST_TOKEN, database_path=db_path, admin_ids=str(ADMIN_ID))


async def test_admin_link_attributes_newcomers_to_its_source(
    world: InProcessWorld, repo: Repositories
) -> None:
    admin = await world.user("Админ", user_id=ADMIN_ID)
    await admin.send("/link vk spring26")
    reply = await admin.expect("Ссылка для источника")
    match = re.search(r"https://t\.me/\w+\?start=(src_vk__spring26)", reply.content)
    assert match
    newcomer = await world.user("Новичок")
    await newcomer.send(f"/start {match.group(1)}")
    await newcomer.expect("Здравствуйте")
    assert await repo.referrals.attribution(newcomer.id) == ("vk", None)


@pytest.mark.parametrize("args", ["", "VK", "vk a b", "в_контакте", "x" * 30])
async def test_admin_gets_usage_for_a_bad_source(world: InProcessWorld, args: str) -> None:
    admin = await world.user("Админ", user_id=ADMIN_ID)
    await admin.send(f"/link {args}".strip())
    await admin.expect("Использование: /link")
