"""Backups: a checked, private, atomically named copy; the newest N kept; failures leave
nothing behind; the `backup` command; the daily schedule (on a shifted clock)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ShiftedClock
from bot.db import Database
from bot.db.backup import BackupError
from bot.ops import backup as backup_module
from bot.ops.backup import list_backups, make_backup
from bot.ops.backup_schedule import BackupScheduler, next_daily

ROOT = Path(__file__).resolve().parents[2]
MOSCOW = ZoneInfo("Europe/Moscow")


async def add_users(db: Database, *ids: int) -> None:
    for user_id in ids:
        await db.write(
            "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, 1, 1)",
            (user_id, f"user {user_id}"),
        )


def rows(path: Path, table: str = "users") -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def at(day: int, hour: int = 3, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, second, tzinfo=UTC)


async def test_a_backup_is_a_checked_private_copy_under_a_timestamped_name(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    await add_users(db, 1, 2, 3)
    folder = tmp_path / "backups"
    path = make_backup(db_path, folder, keep=7, now=at(1, 3, 0, 5))
    assert path == folder / "bot-20250301T030005Z.sqlite3"
    assert os.listdir(folder) == [path.name]  # no temporary files, no -wal/-shm
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert rows(path) == rows(db_path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == await db.pragma("user_version")


async def test_only_the_newest_backups_are_kept_and_other_files_are_left_alone(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "bot-manual.sqlite3").write_text("not a timestamp: not ours")
    made = [make_backup(db_path, folder, keep=3, now=at(day)) for day in range(1, 7)]
    assert [b.path for b in list_backups(folder)] == made[-3:]
    assert (folder / "notes.txt").exists() and (folder / "bot-manual.sqlite3").exists()


async def test_two_backups_in_one_second_get_distinct_names_in_order(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    first = make_backup(db_path, folder, keep=5, now=at(2))
    second = make_backup(db_path, folder, keep=5, now=at(2))
    assert second.name == "bot-20250302T030000Z-2.sqlite3"
    assert [b.path for b in list_backups(folder)] == [first, second]


async def test_a_corrupt_database_gives_an_error_and_leaves_nothing_behind(
    tmp_path: Path,
) -> None:
    source = tmp_path / "broken.sqlite3"
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 2000)
        conn.execute("CREATE INDEX t_x ON t (x)")
    with source.open("r+b") as file:
        file.seek(4096 * 5)
        file.write(b"\x5a" * 4096 * 3)
    folder = tmp_path / "backups"
    with pytest.raises(BackupError, match="malformed"):
        make_backup(source, folder, keep=7)
    assert os.listdir(folder) == []


async def test_a_copy_failing_its_integrity_check_is_not_kept(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backups"
    good = make_backup(db_path, folder, keep=7, now=at(1))
    monkeypatch.setattr(backup_module, "integrity_check", lambda path: ["page 7: btree broken"])
    with pytest.raises(BackupError, match="integrity check: page 7"):
        make_backup(db_path, folder, keep=1, now=at(2))
    assert os.listdir(folder) == [good.name]  # and the older good one was not pruned


def test_backing_up_a_missing_database_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database"):
        make_backup(tmp_path / "absent.sqlite3", tmp_path / "backups", keep=7)


# -- the command ----------------------------------------------------------------------------


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    ours = ("BOT_", "DATABASE_", "BACKUP_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.process
async def test_the_backup_command_prints_the_new_file_and_keeps_n(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    await add_users(db, 7)
    folder = tmp_path / "dest"
    made = []
    for _ in range(3):
        result = run_cli(tmp_path, "backup", str(folder), "--keep", "2", DATABASE_PATH=str(db_path))
        assert result.returncode == 0, result.stderr
        made.append(Path(result.stdout.strip()))
    assert [b.path for b in list_backups(folder)] == made[-2:]
    assert rows(made[-1]) == rows(db_path)


@pytest.mark.process
async def test_the_backup_command_defaults_to_backup_dir_and_backup_keep(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "nightly"
    for _ in range(2):
        result = run_cli(
            tmp_path, "backup", DATABASE_PATH=str(db_path), BACKUP_DIR=str(folder), BACKUP_KEEP="1"
        )
        assert result.returncode == 0, result.stderr
    assert [b.path for b in list_backups(folder)] == [Path(result.stdout.strip())]


@pytest.mark.process
def test_the_backup_command_without_a_folder_or_database_fails_clearly(tmp_path: Path) -> None:
    nowhere = run_cli(tmp_path, "backup", DATABASE_PATH=str(tmp_path / "x.sqlite3"))
    assert nowhere.returncode == 2
    assert nowhere.stderr.strip() == (
        "configuration error: give a backup folder or set BACKUP_DIR"
    )
    missing = run_cli(
        tmp_path, "backup", str(tmp_path / "b"), DATABASE_PATH=str(tmp_path / "x.sqlite3")
    )
    assert missing.returncode == 1
    assert "backup failed: no database at" in missing.stderr
    assert "Traceback" not in missing.stderr


# -- the daily schedule ---------------------------------------------------------------------


def test_the_next_daily_time_is_today_before_the_hour_and_tomorrow_after_it() -> None:
    morning = datetime(2025, 3, 1, 2, 59, tzinfo=MOSCOW)
    assert next_daily(morning, 3, MOSCOW) == datetime(2025, 3, 1, 3, 0, tzinfo=MOSCOW)
    on_time = datetime(2025, 3, 1, 3, 0, tzinfo=MOSCOW)
    assert next_daily(on_time, 3, MOSCOW) == datetime(2025, 3, 2, 3, 0, tzinfo=MOSCOW)
    utc_evening = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)  # 02:30 on the 2nd in Moscow
    assert next_daily(utc_evening, 3, MOSCOW) == datetime(2025, 3, 2, 3, 0, tzinfo=MOSCOW)
    berlin = ZoneInfo("Europe/Berlin")  # DST starts 2025-03-30 at 02:00
    before_switch = datetime(2025, 3, 29, 12, 0, tzinfo=berlin)
    assert next_daily(before_switch, 3, berlin).utcoffset() == timedelta(hours=2)


async def test_the_daily_backup_catches_up_at_start_then_runs_at_the_hour(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    clock = ShiftedClock()
    taken: asyncio.Queue[Path] = asyncio.Queue()
    folder = tmp_path / "daily"
    scheduler = BackupScheduler(
        db_path, folder, hour=3, timezone="Europe/Moscow", keep=7, clock=clock,
        on_success=taken.put_nowait,
    )
    scheduler.start()
    try:
        first = await asyncio.wait_for(taken.get(), 10)  # none yet: one right away
        due = scheduler.due()
        assert (due.hour, due.minute) == (3, 0) and due > datetime.now(MOSCOW)
        await add_users(db, 42)
        clock.advance(due.timestamp() - clock.now() + 1)
        second = await asyncio.wait_for(taken.get(), 10)
    finally:
        await scheduler.stop()
    assert [b.path for b in list_backups(folder)] == [first, second]
    assert abs(list_backups(folder)[-1].taken_at - due) < timedelta(seconds=3)
    assert rows(second) == rows(db_path)  # the day's changes are in


async def test_a_failed_daily_backup_is_counted_and_retried_an_hour_later(
    tmp_path: Path,
) -> None:
    failures: list[int] = []
    clock = ShiftedClock()
    scheduler = BackupScheduler(
        tmp_path / "absent.sqlite3", tmp_path / "daily", hour=3, timezone="Europe/Moscow",
        keep=7, clock=clock, on_failure=lambda: failures.append(1),
    )
    assert await scheduler.backup_now() is None
    assert failures == [1]
    retry_in = scheduler.due().timestamp() - clock.now()
    assert 3590 < retry_in <= 3600
