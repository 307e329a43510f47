"""Owners share personal links; friends are attributed to them; payloads are parsed safely."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.attribution import Touch, parse_payload, source_payload
from bot.db.repos import Repositories
from tests.kit.drivers import Person
from tests.kit.inprocess_driver import InProcessWorld
from tests.stories import send_the_request

LINK = re.compile(r"https://t\.me/(\w+)\?start=(r_[a-z0-9]+)")


async def personal_payload(owner) -> str:
    await owner.send("/share")
    reply = await owner.expect("Ваша личная ссылка")
    match = LINK.search(reply.content)
    assert match, reply.content
    return match.group(2)


async def test_share_gives_a_personal_link_with_share_sheet_and_inline_buttons(
    owner: Person,
) -> None:
    await owner.send("/start")
    payload = await personal_payload(owner)
    assert len(payload) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", payload)
    reply = await owner.last_bot_message()
    assert reply is not None
    sheet = reply.button("📤 Поделиться")
    assert sheet is not None and sheet.url and sheet.url.startswith("https://t.me/share/url?")
    inline = reply.button("💬 Отправить в чат")
    assert inline is not None and inline.raw.get("switch_inline_query") == ""
    assert await personal_payload(owner) == payload  # stable


async def test_friend_from_a_link_is_attributed_and_the_referrer_thanked_once(
    world: InProcessWorld, repo: Repositories
) -> None:
    anna = await world.user("Анна")
    await anna.send("/start")
    payload = await personal_payload(anna)
    boris = await world.user("Борис")
    await boris.send(f"/start {payload}")
    await boris.expect("Здравствуйте, Борис")
    assert await repo.referrals.attribution(boris.id) == ("referral", anna.id)

    await boris.click("Начать обучение")
    for _ in range(3):
        await boris.click("Далее")
    await boris.click("Завершить обучение")
    await send_the_request(boris)
    lead = await repo.leads.for_user(boris.id)
    assert lead is not None and (lead.source, lead.referrer_id) == ("referral", anna.id)
    thanks = await repo.db.fetchall(
        "SELECT chat_id, payload FROM outbox WHERE kind = 'referrer_thanks'"
    )
    assert len(thanks) == 1 and thanks[0][0] == anna.id  # once per friend, not per step
    # Starting again from another link never rewrites the first touch.
    await boris.send("/start src_vk")
    assert await repo.referrals.attribution(boris.id) == ("referral", anna.id)


async def test_own_link_is_not_a_referral(world: InProcessWorld, repo: Repositories) -> None:
    anna = await world.user("Анна")
    await anna.send("/start")
    payload = await personal_payload(anna)
    await anna.send(f"/start {payload}")
    assert await repo.referrals.attribution(anna.id) == ("direct", None)


async def test_source_link_sets_the_first_touch(world: InProcessWorld, repo: Repositories) -> None:
    owner = await world.user("Вера")
    await owner.send("/start src_vk__spring26")
    await owner.expect("Здравствуйте")
    assert await repo.referrals.attribution(owner.id) == ("vk", None)
    row = await repo.db.fetchone(
        "SELECT campaign, last_source FROM users WHERE id = ?", (owner.id,)
    )
    assert tuple(row) == ("spring26", "vk")


@pytest.mark.parametrize(
    "payload",
    [
        "x" * 65,
        "r_zzzzzzzz",
        "r_",
        "src_",
        "src_VK",
        "src_" + "a" * 25,
        "diag2",
        "' OR 1=1 --",
        "<script>",
        "привет",
        "r_abc%20def",
        "src_vk__",
        "src_vk__a__b",
        "\u202e",
        "r_" + "a" * 62,
    ],
)
async def test_malformed_or_foreign_payload_is_ignored_safely(
    world: InProcessWorld, repo: Repositories, payload: str
) -> None:
    owner = await world.user("Гость")
    await owner.send(f"/start {payload}")
    await owner.expect("Здравствуйте")
    assert await repo.referrals.attribution(owner.id) == ("direct", None)


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_payload_parser_never_crashes_and_only_accepts_the_scheme(text: str) -> None:
    touch = parse_payload(text)
    if touch != Touch():
        assert touch.diagnostic or touch.ref_code or touch.source
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", text)


def test_tracked_link_payloads_round_trip() -> None:
    assert source_payload("vk", "spring26") == "src_vk__spring26"
    assert parse_payload("src_vk__spring26") == Touch(source="vk", campaign="spring26")
    assert source_payload("VK") is None and source_payload("a" * 25) is None


async def test_inline_mode_offers_an_invitation_card_with_the_personal_link(
    world: InProcessWorld, owner: Person,
) -> None:
    await owner.send("/start")
    payload = await personal_payload(owner)
    receipt = world.world.inline_query(owner.id, "")
    await world.settle()
    [answer] = world.world.inline_answers(receipt.update["inline_query"]["id"])
    assert answer.answered and answer.results is not None
    [card] = answer.results
    assert payload in card["input_message_content"]["message_text"]
    assert card["reply_markup"]["inline_keyboard"][0][0]["url"].endswith(payload)


async def test_admin_builds_a_tracked_link_and_others_get_the_menu(world: InProcessWorld) -> None:
    stranger = await world.user("Гость")
    await stranger.send("/link vk spring26")
    hint = await stranger.expect("")
    assert "src_vk" not in hint.content
