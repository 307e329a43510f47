"""Several statements in one round trip to aiosqlite's thread.

aiosqlite runs every call on its connection's own thread and wakes the event loop with the
result: about 80 µs of CPU per call on the build machine, where SQLite itself needs 5–20 µs
for one of our statements. An update that made fifteen calls spent more time crossing
threads than in SQLite (docs/benchmarks.md). `run_batch` runs a list of statements (with the
transaction's BEGIN and COMMIT if asked) as one call.

It relies on two private names of the pinned aiosqlite (`Connection._execute`, which queues
a function for the connection's thread, and `Connection._conn`, the sqlite3 connection
there); tests/test_database_trips.py fails if a new aiosqlite changes them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiosqlite


@dataclass(slots=True, eq=False)
class Statement:
    """One statement of a batch and, once it has run, what it gave: `rows` (for a
    `returning` statement: a query or `… RETURNING`) and `rowcount`."""

    sql: str
    params: Sequence[Any] | dict[str, Any] = ()
    returning: bool = False
    rows: list[sqlite3.Row] = field(default_factory=list)
    rowcount: int = -1
    ran: bool = False


def _run(conn: sqlite3.Connection, statement: Statement) -> None:
    cursor = conn.execute(statement.sql, statement.params)
    if statement.returning:
        statement.rows = cursor.fetchall()
    statement.rowcount = cursor.rowcount
    statement.ran = True


def _in_thread(
    conn: sqlite3.Connection, statements: Sequence[Statement], begin: bool, commit: bool
) -> None:
    if begin:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            _run(conn, statement)
        if commit:
            conn.execute("COMMIT")
    except BaseException:
        if commit and conn.in_transaction:  # the batch was the whole transaction
            conn.execute("ROLLBACK")
        raise


def _group_in_thread(
    conn: sqlite3.Connection, items: Sequence[Sequence[Statement]]
) -> list[sqlite3.Error | None]:
    """BEGIN, each item on its own, COMMIT. An item of several statements (a unit of work)
    runs inside a savepoint: when one of them fails, the item is undone alone, as a single
    failing statement is by SQLite. An error that ends the whole transaction fails the
    whole group."""
    conn.execute("BEGIN IMMEDIATE")
    outcomes: list[sqlite3.Error | None] = []
    try:
        for item in items:
            several = len(item) > 1
            if several:
                conn.execute("SAVEPOINT item")
            try:
                for statement in item:
                    _run(conn, statement)
            except sqlite3.Error as error:
                if not conn.in_transaction:
                    raise
                if several:
                    conn.execute("ROLLBACK TO item")
                    conn.execute("RELEASE item")
                outcomes.append(error)
            else:
                if several:
                    conn.execute("RELEASE item")
                outcomes.append(None)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


async def run_batch(
    conn: aiosqlite.Connection,
    statements: Sequence[Statement],
    *,
    begin: bool = False,
    commit: bool = False,
) -> None:
    """Run `statements` in order in one call to the connection's thread, after `BEGIN
    IMMEDIATE` (`begin`) and followed by `COMMIT` (`commit`). The first failing statement
    stops the batch and its error is raised; with `commit` the transaction is then rolled
    back, otherwise it is left open for the caller to end."""
    await conn._execute(_in_thread, conn._conn, statements, begin, commit)


async def run_group(
    conn: aiosqlite.Connection, items: Sequence[Sequence[Statement]]
) -> list[sqlite3.Error | None]:
    """Independent items (a statement, or a unit's statements) committed together in one
    call: each item's error, or None."""
    return await conn._execute(_group_in_thread, conn._conn, items)


def _nothing() -> None:
    return None


async def settled(conn: aiosqlite.Connection) -> None:
    """Return once everything queued to the connection's thread so far has run."""
    await conn._execute(_nothing)
