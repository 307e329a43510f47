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


# -- group commit -----------------------------------------------------------------------------

INSERT_USER = "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, 0, 0)"


async def _trace_transactions(db: Database) -> list[str]:
    """Every transaction boundary the writer connection executes, as SQLite traces it."""
    seen: list[str] = []
    writer = db._require_writer()
    await writer.set_trace_callback(
        lambda sql: seen.append(sql) if sql in ("BEGIN IMMEDIATE", "COMMIT") else None
    )
    return seen


async def test_concurrent_writes_are_committed_together_each_when_it_returns(
    db: Database,
) -> None:
    boundaries = await _trace_transactions(db)
    changed = await asyncio.gather(
        *(db.write(INSERT_USER, (n, f"owner {n}")) for n in range(200))
    )
    assert changed == [1] * 200
    assert await db.fetchval("SELECT count(*) FROM users") == 200  # the reader sees them all
    transactions = boundaries.count("COMMIT")
    assert 1 <= transactions < 20, boundaries  # grouped, not one commit per write


async def test_writes_of_one_group_run_in_the_order_they_were_made(db: Database) -> None:
    await asyncio.gather(
        db.write(INSERT_USER, (1, "first")),
        db.write("UPDATE users SET first_name = 'second' WHERE id = 1"),
        db.write("UPDATE users SET first_name = first_name || ' and third' WHERE id = 1"),
        db.write("UPDATE users SET lesson = 4 WHERE id = 2"),  # no such row: 0 changed
    )
    assert await db.fetchval("SELECT first_name FROM users WHERE id = 1") == "second and third"


async def test_a_failing_write_fails_alone_and_the_rest_of_its_group_commits(
    db: Database,
) -> None:
    await db.write(INSERT_USER, (1, "Анна"))
    results = await asyncio.gather(
        db.write(INSERT_USER, (2, "Борис")),
        db.write(INSERT_USER, (1, "дубль")),  # the primary key is taken
        db.write(INSERT_USER, (3, "Вера")),
        return_exceptions=True,
    )
    assert results[0] == 1 and results[2] == 1
    assert isinstance(results[1], sqlite3.IntegrityError)
    rows = await db.fetchall("SELECT id, first_name FROM users ORDER BY id")
    assert [tuple(row) for row in rows] == [(1, "Анна"), (2, "Борис"), (3, "Вера")]


async def test_writes_wait_for_an_open_transaction_and_never_join_it(db: Database) -> None:
    async def rolled_back() -> None:
        async with db.transaction() as conn:
            await conn.execute(INSERT_USER, (1, "откат"))
            await asyncio.sleep(0.05)  # writes queued meanwhile must not land inside
            raise RuntimeError("boom")

    transaction = asyncio.create_task(rolled_back())
    await asyncio.sleep(0.01)
    await asyncio.gather(db.write(INSERT_USER, (2, "после")), db.write(INSERT_USER, (3, "и ещё")))
    with pytest.raises(RuntimeError):
        await transaction
    rows = await db.fetchall("SELECT id FROM users ORDER BY id")
    assert [row[0] for row in rows] == [2, 3]


async def test_a_write_to_a_closed_database_fails_instead_of_waiting(db_path: Path) -> None:
    db = await Database(db_path).connect()
    pending = asyncio.ensure_future(db.write(INSERT_USER, (1, "x")))
    await asyncio.sleep(0)  # queued
    await db.close()
    with pytest.raises(DatabaseError):
        await db.write(INSERT_USER, (2, "y"))
    assert await pending == 1  # queued before close: committed, close waited for it
