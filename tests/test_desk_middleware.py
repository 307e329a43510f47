"""`DeskMiddleware` hands the consultants' handlers the desk as `desk`, built from what the
update already brings (where it is registered: tests/test_service_middlewares_placement.py)."""

from __future__ import annotations

from typing import Any

from aiogram.types import User

from bot.group.desk import Desk, DeskMiddleware
from tests.inner_middlewares import handed_on

USER = User(id=7, is_bot=False, first_name="Анна")


def _data(user: User | None) -> dict[str, Any]:
    return {
        "event_from_user": user, "bot": object(), "reply": object(), "repo": object(),
        "content": object(), "settings": object(), "consultants": object(),
    }


async def _handled(data: dict[str, Any]) -> dict[str, Any]:
    return await handed_on(DeskMiddleware(), data)


async def test_an_update_with_a_sender_gets_the_desk() -> None:
    data = _data(USER)
    desk = (await _handled(data))["desk"]
    assert desk == Desk(
        data["bot"], data["reply"], USER, data["repo"], data["content"], data["settings"],
        data["consultants"],
    )


async def test_an_update_without_a_sender_gets_none() -> None:
    assert "desk" not in await _handled(_data(None))
