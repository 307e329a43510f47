"""The SQLite database: connections, pragmas, migrations and serialized writes.

One writer connection takes every write under an asyncio lock, so concurrent handlers never
meet "database is locked"; a separate reader connection serves reads (WAL lets it read while
the writer writes). Pragmas are set and read back at start; a wrong value stops the process.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.db.migrations import LATEST_VERSION, MIGRATIONS

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """The database cannot be used as configured (message is safe to print)."""


class Database:
    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.synchronous = synchronous.upper()
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    # -- lifecycle -----------------------------------------------------------------------

    async def connect(self) -> Database:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._open()
            await self._configure(self._writer, writer=True)
            await self.migrate()
            self._reader = await self._open()
            await self._configure(self._reader, writer=False)
        except sqlite3.Error as error:
            await self.close()
            raise DatabaseError(f"DATABASE_PATH: cannot open {self.path}: {error}") from None
        except BaseException:
            await self.close()
            raise
        return self

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(
            self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.row_factory = sqlite3.Row
        return conn

    async def _configure(self, conn: aiosqlite.Connection, *, writer: bool) -> None:
        wanted = {
            "busy_timeout": BUSY_TIMEOUT_MS,
            "foreign_keys": 1,
            "synchronous": {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}[self.synchronous],
        }
        if writer:
            await conn.execute("PRAGMA journal_mode = WAL")
        for name, value in wanted.items():
            await conn.execute(f"PRAGMA {name} = {value}")
        actual = {}
        for name in ("journal_mode", *wanted):
            row = await (await conn.execute(f"PRAGMA {name}")).fetchone()
            actual[name] = row[0]
        expected = {"journal_mode": "wal", **wanted}
        wrong = {k: v for k, v in actual.items() if str(v).lower() != str(expected[k]).lower()}
        if wrong:
            raise DatabaseError(f"DATABASE_PATH: SQLite refused pragmas {wrong} on {self.path}")

    async def migrate(self) -> int:
        """Apply pending migrations; return the schema version. Safe to call repeatedly."""
        conn = self._require_writer()
        async with self._write_lock:
            version = (await (await conn.execute("PRAGMA user_version")).fetchone())[0]
            if version > LATEST_VERSION:
                raise DatabaseError(
                    f"DATABASE_PATH: schema version {version} is newer than this code "
                    f"({LATEST_VERSION}); refusing to run an older release on it"
                )
            for number in range(version + 1, LATEST_VERSION + 1):
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in MIGRATIONS[number - 1]:
                        await conn.execute(statement)
                    await conn.execute(f"PRAGMA user_version = {number}")
                    await conn.execute("COMMIT")
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise
                log.info("database migrated to version %d", number)
            return max(version, LATEST_VERSION)

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                try:
                    await conn.close()
                except Exception:
                    log.debug("closing a database connection failed", exc_info=True)
        self._reader = self._writer = None

    # -- access --------------------------------------------------------------------------

    def _require_writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise DatabaseError("database is not connected")
        return self._writer

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (BEGIN IMMEDIATE … COMMIT) holding the single writer."""
        conn = self._require_writer()
        async with self._write_lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """One statement in its own (implicit) transaction; returns the rows changed."""
        conn = self._require_writer()
        async with self._write_lock:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        conn = self._reader or self._require_writer()
        return list(await conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def pragma(self, name: str) -> Any:
        return await self.fetchval(f"PRAGMA {name}")
