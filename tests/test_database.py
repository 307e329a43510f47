"""The database opens with the right pragmas, migrates from empty, and serializes writes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database, DatabaseError
from bot.db.migrations import LATEST_VERSION


async def test_pragmas_are_read_back_as_configured(db: Database) -> None:
    assert await db.pragma("journal_mode") == "wal"
    assert await db.pragma("foreign_keys") == 1
    assert await db.pragma("busy_timeout") == 5000


async def test_migrations_run_from_empty_to_latest(db: Database) -> None:
    assert await db.pragma("user_version") == LATEST_VERSION
    tables = {
        row[0] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {"users", "inbox", "fsm"} <= tables


async def test_migrations_applied_twice_change_nothing(db_path: Path) -> None:
    first = await Database(db_path).connect()
    await first.write(
        "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (1, 'A', 0, 0)"
    )
    schema_before = await first.fetchall("SELECT sql FROM sqlite_master ORDER BY name")
    assert await first.migrate() == LATEST_VERSION
    await first.close()
    second = await Database(db_path).connect()
    try:
        assert await second.pragma("user_version") == LATEST_VERSION
        assert [
            tuple(r) for r in await second.fetchall("SELECT sql FROM sqlite_master ORDER BY name")
        ] == [tuple(r) for r in schema_before]
        assert await second.fetchval("SELECT first_name FROM users WHERE id = 1") == "A"
    finally:
        await second.close()


async def test_database_from_a_newer_release_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(DatabaseError, match="newer than this code"):
        await Database(db_path).connect()


async def test_concurrent_writers_never_see_database_locked(db: Database) -> None:
    async def writer(n: int) -> None:
        for i in range(20):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, 'x', 0, 0)",
                    (n * 1000 + i,),
                )
            await db.write("UPDATE users SET lesson = lesson + 1 WHERE id = ?", (n * 1000 + i,))

    await asyncio.gather(*(writer(n) for n in range(25)))
    assert await db.fetchval("SELECT count(*) FROM users") == 500
    assert await db.fetchval("SELECT sum(lesson) FROM users") == 500


async def test_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (7, 'x', 0, 0)"
            )
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT count(*) FROM users") == 0
    await db.write(
        "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (8, 'y', 0, 0)"
    )
    assert await db.fetchval("SELECT count(*) FROM users") == 1
