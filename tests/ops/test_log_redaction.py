"""Logs never carry the token or personal data: not in messages, tracebacks, aiohttp errors
with URLs, reprs of settings, uncaught exceptions — nor in what the real process writes at
DEBUG while Telegram fails under it or cannot be reached at all, nor anything people typed
(names, companies, answers, phones) during a whole journey at DEBUG."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.config import load_settings
from bot.emulator.world import BotWorld
from bot.logging_setup import DATA_LOGGERS, JsonFormatter, RedactingFormatter, setup_logging
from tests.consultants.office import open_office
from tests.e2e.harness import TOKEN
from tests.kit.http_driver import HttpWorld
from tests.ops.conftest import Spawn, free_port, submit_request

TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
SECRET_PART = TOKEN.split(":", 1)[1]
ROOT = Path(__file__).resolve().parents[2]
# The sample phones, as typed/shared and as stored (E.164).
PHONES = ("+79161234567", "79161234567", "8 (916) 765-43-21", "+79167654321", "79167654321",
          "+79123456789", "9123456789", "345-67-89")
RECORD_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} [A-Z]+ \S+: ")


def assert_clean(text: str) -> None:
    assert TOKEN_SHAPE.findall(text) == []
    assert SECRET_PART not in text
    for phone in PHONES:
        assert phone not in text, phone
    assert "9161234567" not in text and "765-43-21" not in text and "9167654321" not in text
    assert "345-67-89" not in text and "9123456789" not in text


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger writes redacted text lines into a buffer."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(secrets=(TOKEN,)))
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_messages_arguments_and_chained_tracebacks_are_redacted_on_one_line(
    captured: io.StringIO,
) -> None:
    log = logging.getLogger("test.redaction")
    try:
        try:
            raise ValueError(f"token {TOKEN} for +7 (916) 123-45-67")
        except ValueError as error:
            raise RuntimeError(f"wrapped: {error!r}; url /bot{TOKEN}/sendMessage") from error
    except RuntimeError:
        log.exception("update %s failed for %s", {"token": TOKEN}, "89161234567")
    log.info("encoded %s", TOKEN.replace(":", "%3A"))
    log.info("glued bot%s and %r", TOKEN, (TOKEN,))
    text = captured.getvalue()
    assert_clean(text)
    assert text.count("[REDACTED]") >= 6 and "[PHONE]" in text
    lines = text.splitlines()
    assert len(lines) == 3  # the traceback is folded into its record's line
    assert all(RECORD_START.match(line) for line in lines)
    assert "Traceback (most recent call last)" in lines[0] and "\\n" in lines[0]


def test_aiohttp_errors_that_carry_the_request_url_are_redacted(captured: io.StringIO) -> None:
    url = URL(f"http://127.0.0.1:9/bot{TOKEN}/getUpdates?offset=1")
    info = aiohttp.RequestInfo(url, "POST", CIMultiDictProxy(CIMultiDict()), url)
    errors: list[Exception] = [
        aiohttp.ClientResponseError(info, (), status=502, message="Bad Gateway"),
        aiohttp.InvalidURL(str(url)),
        aiohttp.ClientConnectorError(
            aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 9, False, True, None, None, None),
            OSError(111, f"Connect call failed for {url}"),
        ),
    ]
    for error in errors:
        assert TOKEN in str(error) or TOKEN in repr(error)
        try:
            raise error
        except Exception:
            logging.getLogger("aiohttp.client").exception("request failed: %s", error)
    assert_clean(captured.getvalue())


def test_settings_never_show_the_token_or_the_webhook_secret(tmp_path: Path) -> None:
    secret = "webhook_secret_value-42"
    settings = load_settings(
        None, bot_token=TOKEN, webhook_url="https://bot.example.com/tg", webhook_secret=secret,
        database_path=tmp_path / "bot.sqlite3",
    )
    for shown in (repr(settings), str(settings), settings.model_dump_json(), f"{settings!r}"):
        assert TOKEN not in shown and SECRET_PART not in shown and secret not in shown
    assert settings.secrets() == (TOKEN, secret)


def test_json_lines_are_redacted_json_objects() -> None:
    formatter = JsonFormatter(secrets=(TOKEN,))
    try:
        raise ConnectionError(f"POST /bot{TOKEN}/sendMessage for +79161234567")
    except ConnectionError:
        record = logging.LogRecord(
            "bot.outbox", logging.ERROR, __file__, 1, "send to %s failed", ("+7 916 123 45 67",),
            sys.exc_info(),
        )
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.outbox"
    assert entry["message"] == "send to [PHONE] failed"
    assert "ConnectionError" in entry["exc"] and "/bot[REDACTED]/sendMessage" in entry["exc"]
    assert_clean(line)


@pytest.mark.process
def test_uncaught_exceptions_in_main_and_threads_go_through_the_redacting_handler() -> None:
    program = f"""
import threading
from bot.logging_setup import setup_logging
setup_logging("INFO", ({TOKEN!r},), "text")
def worker():
    raise OSError("thread saw {TOKEN} and +79161234567")
thread = threading.Thread(target=worker, name="worker")
thread.start(); thread.join()
raise RuntimeError("main saw https://api.telegram.org/bot{TOKEN}/getMe")
"""
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert_clean(result.stderr + result.stdout)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert "uncaught OSError in thread worker" in lines[0]
    assert "uncaught RuntimeError" in lines[1] and "/bot[REDACTED]/getMe" in lines[1]


def test_setup_logging_json_format_writes_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.excepthook, threading.excepthook
    try:
        setup_logging("INFO", (TOKEN,), "json")
        logging.getLogger("bot.test").warning("token %s", TOKEN)
    finally:
        root.handlers[:], level, sys.excepthook, threading.excepthook = saved
        root.setLevel(level)
        logging.captureWarnings(False)
    entry = json.loads(capsys.readouterr().err.strip())
    assert entry["message"] == "token [REDACTED]"


# -- a whole journey at DEBUG ---------------------------------------------------------------

# What people typed or have in their profiles, as the journeys below use them.
PERSONAL = ("Евлампия", "Зюзюкина", "Квазиморда", "Смотритель маяка", "Сегментоид",
            "Профилевна", "zyuzyukina_e", "Консультант", "boris_k", "позвонить после обеда",
            "дорого для нас")


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The process's own logging set-up at LOG_LEVEL=DEBUG, writing into a buffer."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.excepthook, threading.excepthook
    levels = {name: logging.getLogger(name).level for name in (*DATA_LOGGERS, "aiogram.event")}
    stream = io.StringIO()
    setup_logging("DEBUG", (TOKEN,), "text", stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:], level, sys.excepthook, threading.excepthook = saved
        root.setLevel(level)
        logging.captureWarnings(False)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


async def test_a_whole_journey_at_debug_logs_nothing_people_typed(
    debug_log: io.StringIO, db_path: Path
) -> None:
    """Lessons, the diagnostic with two segments, consent, contact, submit, the card, a
    claim, /lead and /leads, a note and a refusal, then /delete_me — all at DEBUG."""
    async with open_office(db_path) as office:
        owner = await office.world.user(
            "Евлампия", last_name="Профилевна", username="zyuzyukina_e"
        )
        await owner.send("/start")
        await owner.click("Начать обучение")
        await owner.expect("Урок 1")
        await owner.send("/diagnostic")
        for click in ("более 3, до 10 млн ₽", "более 5, до 10 лет", "Сам привлекает и продаёт", "Отдел продаж", "2"):
            await owner.click(click)
        for answer in ("Сегментоид-А", "60", "Сегментоид-Б", "40"):
            await owner.send(answer)
        await owner.click("Сегментоид-Б")
        await owner.click("Даю согласие")
        for answer in ("Евлампия Зюзюкина", "ООО Квазиморда", "Смотритель маяка"):
            await owner.send(answer)
        await owner.share_contact("+7 912 345-67-89")
        await owner.click("Утром, 9–12")
        await owner.click("✅ Отправить")
        await owner.expect("Заявка принята")
        lead = await office.repo.leads.for_user(owner.id)
        assert lead is not None
        card = await office.card(lead.id)
        await office.press(office.anna, card, "Взять в работу")
        await office.anna.reply_to(card, "позвонить после обеда")
        await office.anna.expect("Заметка")
        await office.boris.in_private().send(f"/lead {lead.id}")
        await office.boris.in_private().expect("Квазиморда")
        await office.anna.send("/leads")
        await office.anna.expect("Квазиморда")
        await office.press(office.anna, await office.card(lead.id), "Отказ")
        prompt = await office.anna.expect("почему отказ")
        await office.anna.reply_to(prompt, "дорого для нас")
        await office.anna.expect("Отказ по заявке")
        await owner.send("/delete_me")
        await owner.click("Да, удалить всё")
        await owner.expect("удалены")
        await office.idle()

    log = debug_log.getvalue()
    assert " DEBUG " in log and "Update id=" in log  # it did log at DEBUG all along
    assert_clean(log)
    for value in PERSONAL:
        assert value not in log, value


# -- the real process -----------------------------------------------------------------------


@pytest.mark.process
async def test_the_real_process_logs_no_token_and_no_personal_data_while_telegram_fails(
    spawn: Spawn, http_world: HttpWorld, telegram: BotWorld
) -> None:
    group = await http_world.group("Консультанты")
    irina = await http_world.member(group, "Ирина")
    bot = spawn(LOG_LEVEL="DEBUG", CONSULTANTS_CHAT_ID=str(group.chat_id))
    telegram.inject_fault("getMe", "network")
    telegram.inject_fault("setMyCommands", "500")
    telegram.inject_fault("getUpdates", "network", count=2)
    telegram.inject_fault("getUpdates", "timeout", hang_seconds=0.2)
    await bot.start()

    for method, kind in [
        ("sendMessage", "500"), ("sendMessage", "network"), ("editMessageText", "network"),
        ("answerCallbackQuery", "500"), ("sendMessage", "timeout"), ("getUpdates", "500"),
    ]:
        telegram.inject_fault(method, kind, hang_seconds=0.2)
    anna = await http_world.user("Анна")
    await submit_request(anna, "contact")  # shares +79161234567
    telegram.inject_fault("sendMessage", "network", count=2, chat_id=group.chat_id)
    boris = await http_world.user("Борис")
    await submit_request(boris, "8 (916) 765-43-21")
    await irina.expect("Новая заявка")
    assert await bot.stop() == 0

    log = bot.log()
    assert " DEBUG " in log  # it logged at DEBUG all along ...
    assert_clean(log)  # ... and wrote no token, no phone ...
    for typed in ("Анна", "Борис", "Ирина", "Ромашка", "коммерческий директор", "розница",
                  "дилеры"):
        assert typed not in log, typed  # ... and no name, company or answer (no SQL values)
    assert "TelegramNetworkError" in log or "ServerDisconnected" in log
    lines = log.splitlines()
    assert all(RECORD_START.match(line) for line in lines), "a record spans several lines"


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.process
async def test_a_process_that_cannot_reach_telegram_logs_no_token(
    spawn: Spawn, log_format: str
) -> None:
    bot = spawn(
        TELEGRAM_API_BASE=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        LOG_LEVEL="DEBUG", LOG_FORMAT=log_format,
    )
    with bot.log_path.open("ab") as sink:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=bot.workdir, env=bot.environment(),
            stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink,
        )
    assert await asyncio.wait_for(proc.wait(), 60) == 1
    log = bot.log()
    assert_clean(log)
    if log_format == "json":
        entries = [json.loads(line) for line in log.splitlines()]
        messages = [e["message"] for e in entries if e["level"] == "ERROR"]
    else:
        assert all(RECORD_START.match(line) for line in log.splitlines())
        messages = [line for line in log.splitlines() if " ERROR " in line]
    [final] = [m for m in messages if "cannot reach the Bot API" in m]
    assert "Cannot connect to host" in final and "exiting with code 1" in final
    assert "getMe failed (TelegramNetworkError), retry 1" in log  # retried before giving up
