"""The database opens with the right pragmas, migrates from empty, and serializes writes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database, DatabaseError
from bot.db.cards import CardRepo, LeadMessage
from bot.db.migrations import LATEST_VERSION, MIGRATIONS
from tests.waiting import until_suspended


async def test_pragmas_are_read_back_as_configured(db: Database) -> None:
    assert await db.pragma("journal_mode") == "wal"
    assert await db.pragma("foreign_keys") == 1
    assert await db.pragma("busy_timeout") == 5000
    assert await db.pragma("secure_delete") == 1


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
    opened, writes_queued = asyncio.Event(), asyncio.Event()

    async def rolled_back() -> None:
        async with db.transaction() as conn:
            await conn.execute(INSERT_USER, (1, "откат"))
            opened.set()
            await writes_queued.wait()  # writes queued meanwhile must not land inside
            raise RuntimeError("boom")

    transaction = asyncio.create_task(rolled_back())
    await opened.wait()
    writes = [
        asyncio.create_task(db.write(INSERT_USER, (2, "после"))),
        asyncio.create_task(db.write(INSERT_USER, (3, "и ещё"))),
    ]
    await until_suspended(*writes)
    writes_queued.set()
    await asyncio.gather(*writes)
    with pytest.raises(RuntimeError):
        await transaction
    rows = await db.fetchall("SELECT id FROM users ORDER BY id")
    assert [row[0] for row in rows] == [2, 3]


async def test_a_write_to_a_closed_database_fails_instead_of_waiting(db_path: Path) -> None:
    db = await Database(db_path).connect()
    pending = asyncio.ensure_future(db.write(INSERT_USER, (1, "x")))
    await until_suspended(pending)  # queued
    await db.close()
    with pytest.raises(DatabaseError):
        await db.write(INSERT_USER, (2, "y"))
    assert await pending == 1  # queued before close: committed, close waited for it


def _database_at(path: Path, version: int) -> sqlite3.Connection:
    """A database file as release `version` left it (its migrations applied, nothing else)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


async def test_rebuilding_leads_keeps_every_row_and_its_children_and_never_reuses_a_number(
    db_path: Path,
) -> None:
    """Lead №3 was erased under release 5 (its tombstone row remains); the rebuild that
    makes numbers unique keeps leads, history, notes and outbox rows, the foreign keys still
    cascade, and the next lead is №4, not the freed №3."""
    conn = _database_at(db_path, 5)
    for lead_id in (1, 2):
        conn.execute(
            "INSERT INTO leads (id, user_id, status, qualified, draft_id, created_at, updated_at,"
            " name, lost_reason) VALUES (?, ?, 'new', 1, 'd', 0, 0, ?, ?)",
            (lead_id, 100 + lead_id, f"Имя {lead_id}", "дорого" if lead_id == 2 else None),
        )
        conn.execute(
            "INSERT INTO lead_history (lead_id, at, from_status, to_status) "
            "VALUES (?, 0, 'new', 'claimed')",
            (lead_id,),
        )
        conn.execute(
            "INSERT INTO lead_notes (lead_id, at, author_id, text) VALUES (?, 0, 7, 'заметка')",
            (lead_id,),
        )
        conn.execute(
            "INSERT INTO outbox (kind, dedup_key, lead_id, next_attempt_at, created_at) "
            "VALUES ('lead_card', ?, ?, 0, 0)",
            (f"lead_card:{lead_id}:1", lead_id),
        )
    conn.execute(
        "INSERT INTO outbox (kind, dedup_key, payload, next_attempt_at, created_at) "
        "VALUES ('lead_erased', 'lead_erased:3', '{\"lead_id\": 3}', 0, 0)"
    )
    conn.execute(
        "INSERT INTO lead_messages (chat_id, message_id, lead_id, kind, user_id, created_at) "
        "VALUES (-100, 5, 1, 'lost_prompt', 7, 0)"
    )
    conn.close()

    db = await Database(db_path).connect()
    try:
        assert await db.pragma("user_version") == LATEST_VERSION
        assert await db.pragma("foreign_keys") == 1
        assert [tuple(r) for r in await db.fetchall(
            "SELECT id, name, lost_reason FROM leads ORDER BY id"
        )] == [(1, "Имя 1", None), (2, "Имя 2", "дорого")]
        assert await db.fetchval("SELECT count(*) FROM lead_history") == 2
        assert await db.fetchval("SELECT count(*) FROM lead_notes") == 2
        assert await db.fetchval("SELECT count(*) FROM outbox") == 3
        assert await CardRepo(db).message(-100, 5) == LeadMessage(-100, 5, 1, "lost_prompt", 7)

        await db.write("DELETE FROM leads WHERE id = 2")  # children still follow their lead
        assert await db.fetchval("SELECT count(*) FROM lead_history WHERE lead_id = 2") == 0
        assert await db.fetchval("SELECT count(*) FROM outbox WHERE lead_id = 2") == 0
        await db.write(
            "INSERT INTO leads (user_id, status, qualified, draft_id, created_at, updated_at) "
            "VALUES (200, 'new', 1, 'd', 0, 0)"
        )
        assert await db.fetchval("SELECT id FROM leads WHERE user_id = 200") == 4
    finally:
        await db.close()


async def test_a_rebuild_that_would_break_a_foreign_key_changes_nothing(db_path: Path) -> None:
    """An orphan left by an old bug (a note of a lead that is gone) stops the rebuild with a
    clear error instead of being carried over silently; the file stays at release 5."""
    conn = _database_at(db_path, 5)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO lead_notes (lead_id, at, author_id, text) VALUES (9, 0, 7, 'сирота')"
    )
    conn.close()
    with pytest.raises(DatabaseError, match="would break 1 foreign key"):
        await Database(db_path).connect()
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 5
        assert "AUTOINCREMENT" not in check.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'leads'"
        ).fetchone()[0]


async def test_tables_whose_numbers_leave_the_database_never_reuse_them(db: Database) -> None:
    """A lead's number is shown to consultants and names outbox keys, cards and events: its
    table must hand out each number once (AUTOINCREMENT), even after the newest is deleted."""
    for table in ("leads",):
        sql = await db.fetchval("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
        assert "AUTOINCREMENT" in sql.upper(), table
    insert = (
        "INSERT INTO leads (user_id, status, qualified, draft_id, created_at, updated_at) "
        "VALUES (?, 'new', 1, 'd', 0, 0)"
    )
    await db.write(insert, (1,))
    await db.write("DELETE FROM leads WHERE user_id = 1")
    await db.write(insert, (2,))
    assert await db.fetchval("SELECT id FROM leads WHERE user_id = 2") == 2
