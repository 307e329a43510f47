"""Response enrichment: answers with more of what Telegram may return, still valid, still
meaning what they meant; updates and the call log untouched."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import ChatMemberAdministrator, Message

from bot.emulator import BotWorld, Emulator, call_method
from bot.emulator.enrichment import ResponseEnrichment
from bot.emulator.schema_samples import UNKNOWN_FIELD
from tests.emulator.calls import switched_on
from tests.kit import EmulatorSession
from tests.kit.client import RemoteBot

TOKEN = "123456:TEST-token_for-the-emulator"
OWNER = 41


def enriched_world(seed: int = 3, share: float = 0.5) -> BotWorld:
    emulator = Emulator(response_enrichment=ResponseEnrichment(seed=seed, optional_share=share))
    world = emulator.world(TOKEN)
    world.add_user(OWNER, "Ольга", started=True)
    return world


def holds(rich: Any, plain: Any) -> bool:
    """`rich` says everything `plain` says (objects may have more fields)."""
    if isinstance(plain, dict):
        return isinstance(rich, dict) and all(
            key in rich and holds(rich[key], value) for key, value in plain.items()
        )
    if isinstance(plain, list):
        return isinstance(rich, list) and len(rich) == len(plain) and all(
            holds(r, p) for r, p in zip(rich, plain, strict=True)
        )
    return bool(rich == plain)


async def test_answers_gain_fields_and_keep_their_own(world: BotWorld) -> None:
    world.add_user(OWNER, "Ольга", started=True)
    request = {"chat_id": OWNER, "text": "<b>Урок</b>", "parse_mode": "HTML",
               "reply_markup": {"inline_keyboard": [[{"text": "Далее", "callback_data": "n"}]]}}
    plain = await call_method(world, "sendMessage", request)
    rich = await call_method(enriched_world(), "sendMessage", request)

    assert holds(rich, {**plain, "date": rich["date"]})  # (sent within the same second or not)
    assert rich[UNKNOWN_FIELD] and rich["chat"][UNKNOWN_FIELD] and rich["entities"][0][UNKNOWN_FIELD]
    assert len(rich) > len(plain) + 3
    message = Message.model_validate(rich)
    assert message.text == "Урок" and message.model_extra[UNKNOWN_FIELD]  # type: ignore[index]


async def test_the_world_keeps_the_plain_answer(world: BotWorld) -> None:
    rich_world = enriched_world()
    rich = await call_method(rich_world, "sendMessage", {"chat_id": OWNER, "text": "x"})
    [logged] = rich_world.calls("sendMessage")
    assert UNKNOWN_FIELD not in logged.result and UNKNOWN_FIELD in rich
    assert UNKNOWN_FIELD not in rich_world.bot_messages(OWNER)[0].to_telegram()


async def test_a_union_answer_stays_the_same_kind() -> None:
    world = enriched_world(seed=5, share=1.0)
    world.add_user(2, "Ада")
    group = world.add_group(title="С", type="supergroup", admins=[2])
    for _ in range(5):
        member: dict[str, Any] = await call_method(
            world, "getChatMember", {"chat_id": group.id, "user_id": 2}
        )
        assert member["status"] == "administrator"
        assert isinstance(ChatMemberAdministrator.model_validate(member), ChatMemberAdministrator)
        assert set(member) - {UNKNOWN_FIELD} <= set(ChatMemberAdministrator.model_fields) | {
            "can_manage_voice_chats"
        }


async def test_updates_and_plain_values_are_not_enriched() -> None:
    world = enriched_world()
    world.send_text(OWNER, "привет")
    [update] = await call_method(world, "getUpdates", {})
    assert UNKNOWN_FIELD not in update and UNKNOWN_FIELD not in update["message"]
    assert await call_method(world, "sendChatAction", {"chat_id": OWNER, "action": "typing"}) is True


async def test_the_same_seed_gives_the_same_answers() -> None:
    first = [await call_method(enriched_world(seed=9), "getMe", {}) for _ in range(1)]
    again = [await call_method(enriched_world(seed=9), "getMe", {}) for _ in range(1)]
    other = [await call_method(enriched_world(seed=10), "getMe", {}) for _ in range(1)]
    assert first == again and first != other


async def test_aiogram_reads_every_enriched_answer(emulator: Emulator) -> None:
    rich = Emulator(response_enrichment=True)
    world = rich.world(TOKEN)
    world.add_user(OWNER, "Ольга", started=True)
    bot = Bot(TOKEN, session=EmulatorSession(rich))
    for _ in range(20):
        sent = await bot.send_message(OWNER, "x", link_preview_options=None)
        assert sent.chat.id == OWNER
    assert (await bot.get_me()).id == world.bot_id
    await bot.session.close()


async def test_enrichment_switched_on_over_the_control_api(
    remote: RemoteBot, bot: Bot
) -> None:
    await switched_on(remote, OWNER, "response_enrichment", {"seed": 4})
    sent = await bot.send_message(OWNER, "x")
    assert sent.model_extra and UNKNOWN_FIELD in sent.model_extra
