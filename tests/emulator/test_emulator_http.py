"""The HTTP server driven by a real aiogram Bot (AiohttpSession) and raw HTTP requests."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.emulator import BotWorld, Emulator, start_server
from tests.kit import EmulatorClient, EmulatorClientError
from tests.waiting import wait_until

USER = 1001
REPO_ROOT = str(Path(__file__).resolve().parents[2])
PNG_1x2 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000020806000000") + b"\x00" * 16


@pytest.fixture
def started(world: BotWorld) -> BotWorld:
    world.add_user(USER, "Анна", started=True)
    return world


async def raw(emulator_url: str, path: str, method: str = "POST", **kwargs: object) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, emulator_url + path, **kwargs) as response,
    ):
        return response.status, await response.json()


async def test_get_me_over_http_returns_bot_identity(bot: Bot, world: BotWorld) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (world.bot_id, world.username, True)


async def test_malformed_token_answers_401(emulator_url: str) -> None:
    status, body = await raw(emulator_url, "/botnot-a-token/getMe")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_wrong_secret_of_known_bot_is_unauthorized(
    make_bot: Callable[..., Bot], bot: Bot
) -> None:
    await bot.get_me()
    with pytest.raises(TelegramUnauthorizedError):
        await make_bot(bot.token + "x").get_me()


async def test_unknown_method_answers_404(emulator_url: str, token: str) -> None:
    status, body = await raw(emulator_url, f"/bot{token}/sendTelepathy")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_json_form_and_query_bodies_are_all_accepted(
    emulator_url: str, token: str, started: BotWorld
) -> None:
    markup = {"inline_keyboard": [[{"text": "Далее", "callback_data": "next"}]]}
    path = f"/bot{token}/sendMessage"
    status, body = await raw(
        emulator_url, path, json={"chat_id": USER, "text": "json", "reply_markup": markup}
    )
    assert status == 200 and body["result"]["reply_markup"] == markup
    form = {"chat_id": str(USER), "text": "form", "reply_markup": json.dumps(markup)}
    status, body = await raw(emulator_url, path, data=form)
    assert status == 200 and body["result"]["text"] == "form"
    status, body = await raw(
        emulator_url, path, method="GET", params={"chat_id": str(USER), "text": "query"}
    )
    assert status == 200 and body["result"]["text"] == "query"
    assert [m.text for m in started.bot_messages(USER)] == ["json", "form", "query"]


async def test_error_answers_carry_status_and_parameters(
    emulator_url: str, token: str, started: BotWorld
) -> None:
    started.inject_fault("sendMessage", "429", retry_after=7)
    status, body = await raw(emulator_url, f"/bot{token}/sendMessage", json={"chat_id": USER})
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_fault_429_reaches_aiogram_as_retry_after(bot: Bot, started: BotWorld) -> None:
    started.inject_fault("sendMessage", "429", retry_after=2)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == 2
    assert (await bot.send_message(USER, "x")).text == "x"


async def test_fault_500_reaches_aiogram_as_server_error(bot: Bot, started: BotWorld) -> None:
    started.inject_fault("*", "500")
    with pytest.raises(TelegramServerError):
        await bot.send_message(USER, "x")


async def test_fault_timeout_reaches_aiogram_as_network_error(
    make_bot: Callable[..., Bot], started: BotWorld
) -> None:
    started.inject_fault("sendMessage", "timeout")
    bot = make_bot(timeout=0.3)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(USER, "x")
    assert started.bot_messages(USER) == []
    assert (await bot.send_message(USER, "after")).text == "after"


async def test_fault_network_reaches_aiogram_as_network_error(bot: Bot, started: BotWorld) -> None:
    started.inject_fault("sendMessage", "network")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(USER, "x")
    assert (await bot.send_message(USER, "after")).text == "after"


async def test_blocked_user_reaches_aiogram_as_forbidden(bot: Bot, started: BotWorld) -> None:
    started.block_bot(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "x")


async def test_migrated_group_reaches_aiogram_as_migrate_to_chat(
    bot: Bot, started: BotWorld
) -> None:
    group = started.add_group(chat_id=-5005, title="Консультанты")
    new_id = started.migrate_group(group.id)
    with pytest.raises(TelegramMigrateToChat) as caught:
        await bot.send_message(group.id, "x")
    assert caught.value.migrate_to_chat_id == new_id


async def test_html_parse_error_reaches_aiogram_as_bad_request(bot: Bot, started: BotWorld) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, "<b>oops", parse_mode="HTML")


async def test_aiogram_keyboards_and_html_round_trip(bot: Bot, started: BotWorld) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Далее", callback_data="next")]]
    )
    sent = await bot.send_message(USER, "<b>Урок</b>", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "Урок" and sent.entities and sent.entities[0].type == "bold"
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == markup.model_dump()
    edited = await bot.edit_message_text(
        "Урок 2", chat_id=USER, message_id=sent.message_id, reply_markup=markup
    )
    assert edited.text == "Урок 2"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Урок 2", chat_id=USER, message_id=sent.message_id, reply_markup=markup
        )


async def test_multipart_document_upload_is_readable_back(
    bot: Bot, started: BotWorld, client: EmulatorClient
) -> None:
    csv = "имя,телефон\nАнна,+79161234567\n".encode()
    sent = await bot.send_document(
        USER, BufferedInputFile(csv, filename="leads.csv"), caption="Выгрузка"
    )
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.mime_type) == ("leads.csv", "text/csv")
    assert sent.caption == "Выгрузка"
    stored = started.bot_messages(USER)[0]
    assert stored.file is not None and stored.file.data == csv
    assert await client.bot(started.bot_id).file_bytes(sent.document.file_id) == csv
    file = await bot.get_file(sent.document.file_id)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == csv


async def test_photo_upload_under_its_own_field_and_resend_by_file_id(
    emulator_url: str, token: str, started: BotWorld
) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("photo", PNG_1x2, filename="pic.png", content_type="image/png")
    status, body = await raw(emulator_url, f"/bot{token}/sendPhoto", data=form)
    assert status == 200
    photo = body["result"]["photo"][-1]
    assert (photo["width"], photo["height"]) == (1, 2)
    status, body = await raw(
        emulator_url, f"/bot{token}/sendPhoto", json={"chat_id": USER, "photo": photo["file_id"]}
    )
    assert status == 200 and body["result"]["photo"][-1]["file_id"] == photo["file_id"]
    status, body = await raw(
        emulator_url, f"/bot{token}/sendPhoto", json={"chat_id": USER, "photo": "nonsense"}
    )
    assert body["description"] == "Bad Request: wrong file identifier/HTTP URL specified"


async def test_get_updates_long_poll_wakes_on_control_injection(
    bot: Bot, started: BotWorld, client: EmulatorClient
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await wait_until(lambda: started.long_polling, what="the long poll")
    await client.bot(started.bot_id).send_text(USER, "привет")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message is not None and updates[0].message.text == "привет"


async def test_second_get_updates_conflicts_over_http(
    make_bot: Callable[..., Bot], started: BotWorld
) -> None:
    first, second = make_bot(), make_bot()
    poll = asyncio.create_task(first.get_updates(timeout=10))
    await wait_until(lambda: started.long_polling, what="the first long poll")
    other = asyncio.create_task(second.get_updates(timeout=10))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(poll, 2)
    started.send_text(USER, "x")
    assert len(await asyncio.wait_for(other, 2)) == 1


async def test_server_shutdown_releases_long_polls(token: str) -> None:
    emulator = Emulator()
    runner, url = await start_server(emulator)
    session = aiohttp.ClientSession()
    try:
        poll = asyncio.create_task(
            session.post(f"{url}/bot{token}/getUpdates", json={"timeout": 30})
        )
        await wait_until(lambda: emulator.world(token).long_polling, what="the long poll")
        await runner.cleanup()  # a long poll it did not release would be cut off unanswered
        response = await asyncio.wait_for(poll, 2)
        assert (await response.json())["result"] == []
    finally:
        await session.close()


# -- control API ----------------------------------------------------------------------------


async def test_control_api_sets_up_users_groups_and_reads_messages(
    client: EmulatorClient, bot: Bot
) -> None:
    remote = await client.register_bot(bot.token, username="funnel_bot")
    assert (await bot.get_me()).username == "funnel_bot"
    anna = await remote.add_user(first_name="Анна", started=True)
    irina = await remote.add_user(first_name="Ирина")
    group = await remote.add_group(title="Консультанты", type="supergroup", admins=[irina["id"]])
    assert group["admins"] == [irina["id"]] and irina["id"] in group["members"]
    receipt = await remote.send_text(anna["id"], "/start")
    assert receipt["update"]["message"]["text"] == "/start" and receipt["seq"] >= 1
    await bot.send_message(anna["id"], "Урок 1")
    messages = await remote.messages(anna["id"])
    assert [(m["from_bot"], m["text"]) for m in messages] == [(False, "/start"), (True, "Урок 1")]
    assert [m["text"] for m in await remote.bot_messages(anna["id"])] == ["Урок 1"]
    calls = await remote.calls("sendMessage")
    assert calls[0]["params"]["text"] == "Урок 1" and calls[0]["ok"] is True


async def test_control_api_rejects_unknown_fields_and_users(client: EmulatorClient) -> None:
    remote = client.bot(42)
    with pytest.raises(EmulatorClientError) as caught:
        await client.request("POST", "/_emu/bots/42/users", body={"nickname": "x"})
    assert caught.value.status == 400 and "nickname" in caught.value.message
    with pytest.raises(EmulatorClientError) as caught:
        await remote.send_text(5, "hi")
    assert caught.value.status == 404


async def test_events_long_poll_over_http(
    client: EmulatorClient, bot: Bot, emulator: Emulator
) -> None:
    remote = await client.register_bot(bot.token)
    anna = await remote.add_user(first_name="Анна", started=True)
    seq = (await remote.info())["last_seq"]
    waiting = asyncio.create_task(remote.events(after=seq, timeout=10, chat_id=anna["id"]))
    world = emulator.world(bot.token)
    await wait_until(lambda: waiting.done() or world.event_waiters > 0, what="the long poll")
    assert not waiting.done()
    await bot.send_message(anna["id"], "Урок 1")
    found = await asyncio.wait_for(waiting, 2)
    event = found["events"][0]
    assert event["kind"] == "message" and event["message"]["text"] == "Урок 1"
    assert found["last_seq"] == event["seq"]


async def test_control_fault_injection_over_http(client: EmulatorClient, bot: Bot) -> None:
    remote = await client.register_bot(bot.token)
    anna = await remote.add_user(first_name="Анна", started=True)
    await remote.inject_fault("sendMessage", "403_blocked")
    assert len(await remote.faults()) == 1
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(anna["id"], "x")
    await remote.inject_fault("sendMessage", "500", count=5)
    await remote.clear_faults()
    assert (await bot.send_message(anna["id"], "x")).text == "x"


async def test_control_api_clicks_and_reads_callback_answers(
    client: EmulatorClient, bot: Bot
) -> None:
    remote = await client.register_bot(bot.token)
    anna = await remote.add_user(first_name="Анна", started=True)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Далее", callback_data="next")]]
    )
    sent = await bot.send_message(anna["id"], "Урок", reply_markup=markup)
    receipt = await remote.click(anna["id"], anna["id"], sent.message_id, "next")
    await bot.answer_callback_query(receipt["query_id"], text="Дальше!")
    answers = await remote.callback_answers(receipt["query_id"])
    assert answers[0]["answer"]["text"] == "Дальше!"


async def test_control_api_commands_webhook_and_reset(client: EmulatorClient, bot: Bot) -> None:
    remote = await client.register_bot(bot.token)
    await bot.set_my_commands([{"command": "start", "description": "Начать"}])  # type: ignore[list-item]
    assert await remote.commands() == [{"command": "start", "description": "Начать"}]
    assert (await remote.webhook_info())["url"] == ""
    await remote.add_user(first_name="Анна")
    await remote.reset()
    assert await remote.users() == []


async def test_cors_headers_on_control_api(emulator_url: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.options(emulator_url + "/_emu/bots") as response,
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_bots_on_one_server_are_isolated(
    make_bot: Callable[..., Bot], emulator: Emulator, client: EmulatorClient
) -> None:
    first, second = make_bot("111:first"), make_bot("222:second")
    emulator.world("111:first").add_user(USER, "Анна", started=True)
    await first.send_message(USER, "x")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await second.send_message(USER, "x")
    assert {bot["id"] for bot in await client.bots()} == {111, 222}


@pytest.mark.process
async def test_standalone_entry_point_prints_its_url() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.emulator",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        async with EmulatorClient(url) as control:
            assert await control.health() == {"status": "ok"}
    finally:
        process.terminate()
        await process.wait()
