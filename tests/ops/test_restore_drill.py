"""Restore drill with the real process: leads are made, the running bot is backed up (daily
catch-up and the `backup` command), the database is lost, the backup is copied into place,
and the bot starts with the same leads and keeps working."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.ops.backup import list_backups
from tests.kit.http_driver import HttpWorld
from tests.ops.conftest import Spawn, submit_request
from tests.stories import greeted
from tests.waiting import wait_until

pytestmark = pytest.mark.process

TABLES = ("leads", "consents", "users")


def snapshot(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}


def lose(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def restore(backup: Path, database: Path) -> None:
    """What docs/operations.md tells the operator: with the bot stopped, copy the backup over
    DATABASE_PATH and make sure no -wal/-shm of the old database is left beside it."""
    lose(database)
    shutil.copyfile(backup, database)


async def test_back_up_lose_the_database_restore_and_get_the_same_leads(
    spawn: Spawn, http_world: HttpWorld, tmp_path: Path
) -> None:
    nightly, manual = tmp_path / "nightly", tmp_path / "manual"
    bot = spawn(BACKUP_DIR=str(nightly), BACKUP_KEEP="3")
    database = bot.workdir / "bot.sqlite3"
    await bot.start()

    async def caught_up() -> bool:
        return bool(list_backups(nightly))

    await wait_until(caught_up, what="the start-up catch-up backup")

    anna, boris = await http_world.user("Анна"), await http_world.user("Борис")
    await submit_request(anna)
    await submit_request(boris, "8 (916) 765-43-21")

    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(manual),
        cwd=bot.workdir, env=bot.environment(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(command.communicate(), 60)
    assert command.returncode == 0, err.decode()
    backup = Path(out.decode().strip())
    assert list_backups(manual)[0].path == backup

    saved = snapshot(backup)
    assert [row[2] for row in saved["leads"]] == ["new", "new"]  # status column
    assert await bot.stop() == 0
    assert snapshot(database)["leads"] == saved["leads"]  # nothing lead-related came after

    lose(database)
    restore(backup, database)

    await bot.start()
    assert snapshot(database) == saved
    await greeted(anna)
    assert await bot.stop() == 0
    assert snapshot(database)["leads"] == saved["leads"]
    assert "Traceback" not in bot.log()
