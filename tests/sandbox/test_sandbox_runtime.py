"""The sandbox in-process: its own database only, reset, the seeded cast, a busy port."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.sandbox import Sandbox, run_sandbox
from bot.sandbox.cast import GROUP_ID, sample_phone
from bot.sandbox.settings import SANDBOX_TOKEN, bot_settings, sandbox_database_path


def make_settings(tmp_path: Path, **fields: object) -> Settings:
    values: dict[str, object] = {"database_path": tmp_path / "data" / "bot.sqlite3"}
    values.update(fields)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    running = Sandbox(make_settings(tmp_path), port=0, handle_signals=False)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def test_sandbox_database_is_never_the_production_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert sandbox_database_path(settings) == tmp_path / "data" / "sandbox.sqlite3"
    clash = make_settings(tmp_path, database_path=tmp_path / "data" / "sandbox.sqlite3")
    assert sandbox_database_path(clash) != clash.database_path


def test_bot_settings_point_at_the_emulator_and_the_seeded_group(tmp_path: Path) -> None:
    sandbox = Sandbox(make_settings(tmp_path), port=0, handle_signals=False)
    derived = bot_settings(
        sandbox.settings, "http://127.0.0.1:9", sandbox.database, sandbox.cast
    )
    assert derived.token() == SANDBOX_TOKEN and not derived.sandbox
    assert derived.telegram_api_base == "http://127.0.0.1:9"
    assert derived.database_path == tmp_path / "data" / "sandbox.sqlite3"
    assert derived.consultants_chat_id == GROUP_ID
    assert derived.admin_ids == sandbox.cast.admin_ids
    assert sandbox.settings.bot_token is None  # the original is left alone


async def test_reset_deletes_only_the_sandbox_database(sandbox: Sandbox, tmp_path: Path) -> None:
    production = tmp_path / "data" / "bot.sqlite3"
    production.write_bytes(b"production data")
    owner = sandbox.cast.first_owner_id
    sandbox.world.send_text(owner, "/start")
    sandbox.add_person("owner", None)
    assert sandbox.database.exists()

    state = await sandbox.reset()

    assert production.read_bytes() == b"production data"
    assert sandbox.database.exists()  # the bot started again on a fresh file
    assert state["generation"] == 2 and state["bot_running"]
    assert [o["id"] for o in state["owners"]] == [owner]
    assert sandbox.world.messages(owner) == []
    kinds = [event.kind for event in sandbox.world.events()]
    assert kinds[0] == "sandbox_reset"


async def test_people_on_demand(sandbox: Sandbox) -> None:
    owner = sandbox.add_person("owner", None)
    named = sandbox.add_person("owner", "Тимур")
    consultant = sandbox.add_person("consultant", None)
    state = sandbox.state()
    assert [o["first_name"] for o in state["owners"]] == ["Ольга", "Игорь", "Тимур"]
    assert owner["phone"] == sample_phone(owner["id"]) and named["first_name"] == "Тимур"
    assert consultant["id"] in sandbox.world.chats[GROUP_ID].members
    assert state["consultants"][-1]["first_name"] == "Галина"


async def test_busy_port_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = await run_sandbox(make_settings(tmp_path, sandbox_port=port))
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
