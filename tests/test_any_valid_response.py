"""Nothing in the bot's request path fails on a valid Bot API answer (issue 12 #1).

For every Bot API method the bot calls, answers generated from the method's own return type
(aiogram's types are the schema: required fields, any subset of the optional ones, nested
objects to a bounded depth, Default-placeholder objects such as link_preview_options among
them) pass through every request middleware of the bot as `create_bot` builds it, in the
order aiogram chains them, without an exception — reads as a handler makes them, every
other call the way the bot makes it: stored as a reply (bot/delivery/codec.py), delivered
by the reply sender, which records what the answer says (a tracked message's id). The
innermost `make_request` is a fake Telegram that answers with the generated JSON, read the
way aiogram's session reads every answer.

`METHODS` must not go stale: the last test walks a representative journey and checks that
every method the emulator saw is in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerInlineQuery,
    CloseForumTopic,
    CopyMessage,
    CreateForumTopic,
    DeleteMessage,
    DeleteWebhook,
    EditForumTopic,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    ForwardMessage,
    GetChat,
    GetChatMember,
    GetMe,
    ReopenForumTopic,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMessageReaction,
    SetMyCommands,
    SetWebhook,
    TelegramMethod,
)
from aiogram.types import BotCommand, BufferedInputFile, ReactionTypeEmoji
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_bot
from bot.config import Settings
from bot.db import Database
from bot.db.replies import NewReply
from bot.db.repos import Repositories
from bot.delivery.codec import encode
from bot.delivery.replies import collecting, is_read
from bot.delivery.sender import ReplySender
from bot.emulator import Emulator
from bot.emulator.schema_samples import SchemaSampler
from bot.ops.metrics import Metrics, TelegramErrorMetrics
from bot.runner import GetRawUpdates
from tests.consultants.journey import walk_the_whole_journey
from tests.consultants.office import open_office
from tests.kit import EmulatorSession

TOKEN = "123456789:TEST-token-for-the-in-process-bot_0123"

# Every Bot API method the bot calls, each with a request as the bot would make it.
METHODS: dict[str, TelegramMethod[Any]] = {
    method.__api_method__: method
    for method in (
        GetMe(),
        SetMyCommands(commands=[BotCommand(command="start", description="Начать")]),
        SetWebhook(url="https://bot.example.com/telegram"),
        DeleteWebhook(),
        GetRawUpdates(offset=1, timeout=30),
        SendMessage(chat_id=10_000_001, text="<b>Урок 1</b>"),
        EditMessageText(chat_id=10_000_001, message_id=2, text="Урок 2"),
        EditMessageReplyMarkup(chat_id=10_000_001, message_id=2),
        AnswerCallbackQuery(callback_query_id="1", text="Готово"),
        AnswerInlineQuery(inline_query_id="1", results=[]),
        SendPhoto(chat_id=-1002000000001, photo=BufferedInputFile(b"png", "funnel.png")),
        SendDocument(chat_id=-1002000000001, document=BufferedInputFile(b"a;b", "leads.csv")),
        GetChatMember(chat_id=-1002000000001, user_id=10_000_002),
        CopyMessage(chat_id=-1002000000001, from_chat_id=10_000_001, message_id=5),
        ForwardMessage(chat_id=-1002000000001, from_chat_id=10_000_001, message_id=5),
        GetChat(chat_id=-1002000000001),
        CreateForumTopic(chat_id=-1002000000001, name="№1 · ООО «Ромашка» · Ольга"),
        EditForumTopic(chat_id=-1002000000001, message_thread_id=2, name="№1 · удалено"),
        CloseForumTopic(chat_id=-1002000000001, message_thread_id=2),
        ReopenForumTopic(chat_id=-1002000000001, message_thread_id=2),
        SetMessageReaction(
            chat_id=10_000_001, message_id=5, reaction=[ReactionTypeEmoji(emoji="👌")]
        ),
        EditMessageCaption(chat_id=10_000_001, message_id=5, caption="💬 Анна"),
        DeleteMessage(chat_id=-1002000000001, message_id=7),
    )
}


# Every delivered call records what its message shows, as a consultant's /lead answer does.
TRACK = {"kind": "lead_message", "data": {"lead_id": 1, "role": "view", "user_id": None}}

# (share of optional fields, depth of optional objects): none at all, a few nested, many
# nested, every optional field of the answer itself.
SHAPES = [(0.0, 0), (0.15, 3), (0.5, 2), (1.0, 1)]


@dataclass
class Chain:
    runner: asyncio.Runner
    bot: Bot
    repo: Repositories
    sender: ReplySender


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    """The bot's session middlewares as the service has them (`create_bot`, plus the error
    metrics `bot.service` adds innermost), and the reply sender that makes every call that
    changes something."""
    path: Path = tmp_path_factory.mktemp("responses") / "bot.sqlite3"
    runner = asyncio.Runner()
    db = runner.run(Database(path).connect())
    repo = Repositories.create(db)
    config = Settings(_env_file=None, bot_token=TOKEN, database_path=path)  # type: ignore[call-arg]
    bot = create_bot(config, session=EmulatorSession(Emulator()))
    bot.session.middleware(TelegramErrorMetrics(Metrics()))
    try:
        yield Chain(runner, bot, repo, ReplySender(bot, repo.replies))
    finally:
        runner.run(bot.session.close())
        runner.run(db.close())
        runner.close()


def test_the_chain_is_the_bots(chain: Chain) -> None:
    assert len(chain.bot.session.middleware) >= 4  # guard, expired callbacks, retries, …


@pytest.mark.parametrize("name", sorted(METHODS))
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32), shape=st.sampled_from(SHAPES))
def test_every_method_the_bot_calls_survives_any_valid_answer(
    chain: Chain, name: str, seed: int, shape: tuple[float, int]
) -> None:
    method = METHODS[name]
    share, depth = shape
    sampler = SchemaSampler(random.Random(seed), max_depth=depth, optional_share=share)
    answer = sampler.value(method.__returning__, 0)
    chain.runner.run(_through_the_chain(chain, method, answer))


async def _through_the_chain(chain: Chain, method: TelegramMethod[Any], answer: Any) -> None:
    """Reads go through the middlewares as a handler makes them (while an update is being
    handled); every other call as the bot makes it: stored as a reply, then delivered by the
    reply sender, which records what came back."""
    bot = chain.bot
    calls = 0

    async def telegram(bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:  # noqa: ASYNC109
        nonlocal calls
        calls += 1
        content = json.dumps({"ok": True, "result": answer})
        return bot.session.check_response(
            bot=bot, method=method, status_code=200, content=content
        ).result

    if is_read(method) or isinstance(method, GetRawUpdates | SetWebhook | DeleteWebhook):
        through = bot.session.middleware.wrap_middlewares(telegram, timeout=None)
        context = collecting() if is_read(method) else contextlib.nullcontext()
        with context:
            await through(bot, method)
        assert calls == 1
        return
    real = bot.session.make_request
    bot.session.make_request = telegram  # type: ignore[method-assign]
    try:
        lane = 10_000_001
        stored = (await chain.repo.replies.add(lane, [NewReply(encode(method), TRACK)])).stored()
        chain.sender.accept(stored)
        assert await chain.sender.deliver(lane), "the reply was not delivered"
    finally:
        bot.session.make_request = real  # type: ignore[method-assign]
    assert calls == 1
    assert await chain.repo.db.fetchval("SELECT count(*) FROM replies") == 0


async def test_every_method_of_a_representative_journey_is_in_the_property_test(
    tmp_path: Path,
) -> None:
    async with open_office(tmp_path / "bot.sqlite3") as office:
        await walk_the_whole_journey(office)
        seen = {call.method for call in office.telegram.calls()}
    missing = seen - set(METHODS)
    assert not missing, f"add these methods the bot calls to METHODS: {sorted(missing)}"
