"""The real process over HTTP: a friend from an owner's link becomes a lead the consultants
see with the referrer named; the owner is thanked once; /stats counts the source."""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import BotProcess
from tests.kit.http_driver import HttpWorld
from tests.stories import read_the_lessons, send_the_request
from tests.waiting import wait_until

pytestmark = pytest.mark.process


async def test_friend_from_a_personal_link_is_attributed_end_to_end(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    group = await http_world.group("Консультанты")
    irina = await http_world.member(group, "Ирина")
    bot_process.env.update(CONSULTANTS_CHAT_ID=str(group.chat_id), ADMIN_IDS=str(irina.id))
    await bot_process.start()

    anna = await http_world.user("Анна", username="anna_owner")
    await anna.send("/start")
    await anna.send("/share")
    share = await anna.expect("Ваша личная ссылка")
    payload = re.search(r"\?start=(r_\w+)", share.content).group(1)  # type: ignore[union-attr]

    boris = await http_world.user("Борис")
    await boris.send(f"/start {payload}")
    await read_the_lessons(boris, last="Курс пройден")
    await send_the_request(boris)

    card = await irina.expect("Новая заявка")
    assert "по рекомендации" in card.content and "Анна (@anna_owner)" in card.content
    thanks = await anna.expect("По вашей ссылке курс пройден до конца")
    assert "Борис" in thanks.content
    await irina.send("/stats 7d")
    funnel = await irina.expect("Воронка — 7 дней")
    assert "по рекомендации: 1 → 1 → 1 → 1 → 0" in funnel.content
    assert "Анна — пригласили 1, квалифицированы 1" in funnel.content

    async def chart_shown() -> bool:  # the chart follows the text
        return any(m.kind == "photo" for m in await irina.bot_messages())

    await wait_until(chart_shown, timeout=10, what="the funnel chart")
    thanked = [m for m in await anna.bot_messages() if "По вашей ссылке" in m.content]
    assert len(thanked) == 1  # lessons finished and lead submitted: still one thank-you
