"""Round trips to the writer thread: a unit of work whose writes are staged makes one; what it
staged is there for its own reads, commits with it or not at all; concurrent writes share one;
the WAL is copied into the database file by the checkpointer, not inside a commit.

These also pin the two private names of aiosqlite that bot/db/trips.py relies on: if a new
aiosqlite renames or changes them, these tests fail before anything else does.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import aiosqlite
import pytest

from bot.db import Database
from bot.db.database import AUTOCHECKPOINT_PAGES, mark_unit
from bot.db.replies import EncodedCall, NewReply, ReplyRepo
from bot.db.trips import Statement, run_batch
from bot.housekeeping import Checkpoints
from tests.databases import count_trips
from tests.waiting import until_suspended, wait_until

INSERT_USER = "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, 0, 0)"


async def names(db: Database) -> list[str]:
    return [row[0] for row in await db.fetchall("SELECT first_name FROM users ORDER BY id")]


async def test_a_batch_runs_on_the_connections_own_thread_in_one_call(db: Database) -> None:
    writer = db._require_writer()
    await writer.create_function("thread_id", 0, threading.get_ident)
    trips = count_trips(db._require_writer())
    first, second = Statement("SELECT thread_id()", returning=True), Statement(
        "SELECT 41 + 1", returning=True
    )
    await run_batch(writer, [first, second])
    assert trips == ["_in_thread"]
    own_thread = (await writer.execute_fetchall("SELECT thread_id()"))[0][0]
    assert first.rows[0][0] == own_thread != threading.get_ident()
    assert second.rows[0][0] == 42 and first.ran and second.ran
    assert isinstance(writer._conn, sqlite3.Connection)


async def test_a_unit_whose_writes_are_staged_makes_one_round_trip(db: Database) -> None:
    trips = count_trips(db._require_writer())
    async with db.unit():
        for n in range(1, 6):
            await db.stage(INSERT_USER, (n, f"owner {n}"))
        assert trips == []  # nothing has crossed yet
    assert len(trips) == 1  # BEGIN, five inserts, COMMIT
    assert await names(db) == [f"owner {n}" for n in range(1, 6)]


async def test_a_read_in_the_unit_sees_what_it_staged_and_others_do_not_before_the_commit(
    db: Database,
) -> None:
    async with db.unit():
        await db.stage(INSERT_USER, (1, "Анна"))
        assert await db.fetchval("SELECT first_name FROM users WHERE id = 1") == "Анна"
        reader = db._reader
        assert reader is not None
        outside = await reader.execute_fetchall("SELECT count(*) FROM users")
        assert outside[0][0] == 0  # not committed yet
    assert await names(db) == ["Анна"]


async def test_a_staged_write_that_fails_fails_the_unit_and_nothing_of_it_stays(
    db: Database,
) -> None:
    await db.write(INSERT_USER, (1, "Анна"))
    rolled_back: list[str] = []
    with pytest.raises(sqlite3.IntegrityError):
        async with db.unit():
            await db.stage(INSERT_USER, (2, "Борис"))
            await db.stage(INSERT_USER, (1, "дубль"))  # the key is taken: fails at commit
            db.after_rollback(lambda: rolled_back.append("rolled back"))
    assert rolled_back == ["rolled back"]
    assert await names(db) == ["Анна"]
    assert await db.write(INSERT_USER, (3, "Вера")) == 1  # the writer is free again
    assert not db._require_writer().in_transaction


async def test_an_exception_in_the_unit_drops_what_it_staged(db: Database) -> None:
    trips = count_trips(db._require_writer())
    with pytest.raises(RuntimeError):
        async with db.unit():
            await db.stage(INSERT_USER, (1, "Анна"))
            raise RuntimeError("handler failed")
    assert trips == []  # never begun: nothing to roll back
    assert await names(db) == []


class Refused(Exception):
    pass


async def test_a_savepoint_undoes_its_own_writes_alone_and_the_unit_goes_on(
    db: Database,
) -> None:
    """A block that catches its own refusal inside a unit (a reschedule onto a time taken
    meanwhile): what it wrote before refusing is undone, staged or not, nested or not; what
    the unit wrote around it commits."""
    async with db.unit():
        await db.stage(INSERT_USER, (1, "before"))
        with pytest.raises(Refused):
            async with db.savepoint() as conn:
                await conn.execute(INSERT_USER, (2, "undone"))
                async with db.savepoint() as inner:
                    await inner.execute(INSERT_USER, (3, "kept, then undone with its outer"))
                await db.stage(INSERT_USER, (4, "staged, undone"))
                raise Refused
        async with db.savepoint() as conn:
            await conn.execute(INSERT_USER, (5, "kept"))
        await db.stage(INSERT_USER, (6, "after"))
    assert await names(db) == ["before", "kept", "after"]


async def test_staged_writes_run_in_order_with_the_units_own_statements(db: Database) -> None:
    async with db.unit():
        await db.stage(INSERT_USER, (1, "first"))
        assert await db.write("UPDATE users SET first_name = 'second' WHERE id = 1") == 1
        await db.stage("UPDATE users SET first_name = first_name || ' and third' WHERE id = 1")
        async with db.transaction() as conn:  # raw statements see the staged ones first
            await conn.execute("UPDATE users SET first_name = first_name || '!' WHERE id = 1")
    assert await names(db) == ["second and third!"]


async def test_staged_replies_have_their_ids_only_once_the_unit_has_committed(
    db: Database,
) -> None:
    replies = ReplyRepo(db)
    call = NewReply(EncodedCall("sendMessage", '{"chat_id": 1, "text": "hi"}'))
    async with db.unit():
        staged = await replies.add(7, [call, call])
        with pytest.raises(RuntimeError, match="not committed"):
            staged.stored()
    stored = staged.stored()
    assert [row.lane for row in stored] == [7, 7]
    assert stored[0].id < stored[1].id
    assert [row.id for row in await replies.pending()] == [row.id for row in stored]


async def test_units_that_commit_together_share_a_round_trip_and_fail_alone(
    db: Database,
) -> None:
    await db.write(INSERT_USER, (1, "Анна"))
    trips = count_trips(db._require_writer())

    async def unit(n: int, duplicate: bool) -> None:
        async with db.unit():
            await db.stage(INSERT_USER, (n, f"owner {n}"))
            await db.stage("UPDATE users SET lesson = ? WHERE id = ?", (n, n))
            if duplicate:
                await db.stage(INSERT_USER, (1, "дубль"))  # fails: the unit goes alone

    outcomes = await asyncio.gather(
        *(unit(n, duplicate=n == 5) for n in range(2, 12)), return_exceptions=True
    )
    assert [isinstance(o, sqlite3.IntegrityError) for o in outcomes] == [
        n == 5 for n in range(2, 12)
    ]
    assert len(trips) <= 2  # the first unit alone, the other nine together
    rows = await db.fetchall("SELECT id, lesson FROM users ORDER BY id")
    assert [tuple(row) for row in rows] == [(1, 0)] + [(n, n) for n in range(2, 12) if n != 5]


async def test_outside_a_unit_a_staged_write_is_committed_when_it_returns(db: Database) -> None:
    statement = await db.stage(INSERT_USER, (1, "Анна"))
    assert statement.ran and statement.rowcount == 1
    assert await names(db) == ["Анна"]


async def test_writes_that_come_together_share_one_round_trip(db: Database) -> None:
    await db.write(INSERT_USER, (1, "Анна"))
    trips = count_trips(db._require_writer())
    outcomes = await asyncio.gather(
        *(db.write(INSERT_USER, (n, f"owner {n}")) for n in range(2, 52)),
        db.write(INSERT_USER, (1, "дубль")),
        return_exceptions=True,
    )
    assert outcomes[:50] == [1] * 50
    assert isinstance(outcomes[50], sqlite3.IntegrityError)  # fails alone
    assert len(trips) <= 2  # the first write alone, the rest as one group
    assert await db.fetchval("SELECT count(*) FROM users") == 51


@pytest.mark.parametrize("where", ["in its first round trip", "after it"])
async def test_a_cancelled_unit_leaves_no_transaction_open_and_the_writer_free(
    db: Database, where: str
) -> None:
    async def unit() -> None:
        async with db.unit():
            await db.write(INSERT_USER, (1, "Анна"))  # BEGIN and the insert: one trip
            await asyncio.Event().wait()

    task = asyncio.create_task(unit())
    await until_suspended(task)  # waiting for the trip's answer
    if where == "after it":
        await wait_until(lambda: db._require_writer().in_transaction, what="the trip")
        await until_suspended(task)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not db._require_writer().in_transaction
    assert await db.write(INSERT_USER, (2, "Борис")) == 1
    assert await names(db) == ["Борис"]


async def test_a_unit_knows_it_added_to_the_outbox(db: Database) -> None:
    async with db.unit() as quiet:
        await db.stage(INSERT_USER, (1, "Анна"))
    async with db.unit() as noted:
        mark_unit("outbox")
    mark_unit("outbox")  # outside a unit: nothing to note, no error
    assert not quiet.marked("outbox") and noted.marked("outbox")


def test_the_pinned_aiosqlite_still_has_what_trips_rely_on() -> None:
    assert callable(getattr(aiosqlite.Connection, "_execute", None))
    assert isinstance(getattr(aiosqlite.Connection, "_conn", None), property)


async def test_commits_leave_the_wal_to_the_checkpointer_which_copies_it_all(
    db: Database,
) -> None:
    page = "x" * 4000  # a value a page long: one WAL frame and more per unit
    for n in range(1_200):  # past SQLite's default of a checkpoint every 1,000 pages
        async with db.unit():
            await db.stage("INSERT INTO kv (key, value) VALUES (?, ?)", (f"k{n}", page))
    wal = db.path.with_name(db.path.name + "-wal")
    assert wal.stat().st_size > 1_200 * 4096  # never copied (and reset) by a commit
    assert await Checkpoints(db).turn() > 0
    assert await db.checkpoint()  # nothing left to copy
    assert await db.fetchval("SELECT count(*) FROM kv") == 1_200
    writer = db._require_writer()
    assert (await writer.execute_fetchall("PRAGMA wal_autocheckpoint"))[0][0] == (
        AUTOCHECKPOINT_PAGES
    )


async def test_an_erasures_wal_truncation_never_collides_with_the_periodic_checkpoint(
    db: Database,
) -> None:
    for round_ in range(20):
        async with db.unit():
            await db.stage("INSERT INTO kv (key, value) VALUES (?, ?)", (f"k{round_}", "x" * 4000))
        outcomes = await asyncio.gather(db.checkpoint(), db.truncate_wal(), db.checkpoint())
        assert outcomes[1] is True, f"round {round_}: the truncation was refused"
        assert db.path.with_name(db.path.name + "-wal").stat().st_size == 0
