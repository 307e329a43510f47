"""The SQLite database: connections, pragmas, migrations and serialized writes.

One writer connection takes every write under an asyncio lock, so concurrent handlers never
meet "database is locked"; a separate reader connection serves reads (WAL lets it read while
the writer writes). Pragmas are set and read back at start; a wrong value stops the process.

Single-statement writes are group-committed: those that arrive while the writer is busy are
committed together, in one transaction run as one round trip to the writer thread
(bot/db/trips.py). Under load a write then costs a share of one round trip instead of a
whole one each (with the lock held), which had made the writer the bot's bottleneck. Each
`write()` still returns only once its statement is committed.

A *unit of work* (`async with db.unit():`) makes everything written from the task that opened
it — statements, transactions, FSM records — one transaction, committed when the block ends
and rolled back if it raises. The update processor opens one per update, so an update's
effects are all there or none are (see bot/runner.py). The transaction begins at the unit's
first round trip to the writer and holds the single writer until the end; reads inside a
begun unit go to the writer connection and see the unit's own writes. `transaction()` inside
a unit is simply part of it (an exception out of it fails the unit). Caches that must follow
the outcome register `after_commit`/`after_rollback`.

Writes whose result nobody reads are *staged* (`stage()`): inside a unit they wait and run,
in order, at the front of the unit's next round trip to the writer — a read or write that
needs an answer, or the commit. A unit whose writes are all staged never holds the writer
while its handlers run: at its end its statements join the group commit (above) under a
savepoint of their own, so the units that end together cost one round trip in all. A staged
statement that fails fails the unit where it runs (at the latest, its commit), and only it.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from bot.db.migrations import LATEST_VERSION, MIGRATIONS, REBUILDS
from bot.db.trips import Statement, run_batch, run_group, settled

log = logging.getLogger(__name__)
_SAVEPOINT_NUMBERS = itertools.count(1)

BUSY_TIMEOUT_MS = 5000
# The writer copies the WAL into the database file by itself only past this many pages
# (about 40 MB): a safety net. Normally `checkpoint()` does it, on a connection and thread
# of its own (bot/housekeeping.py), so that no unit waits behind the copy and its fsync:
# SQLite's default, every 1,000 pages inside the committing call, held the writer for 4–6 ms
# every second or so under load (commit latency p99 4.3 → 1.0 ms when moved).
AUTOCHECKPOINT_PAGES = 10_000


class DatabaseError(Exception):
    """The database cannot be used as configured (message is safe to print)."""


@dataclass(slots=True)
class _QueuedWrite:
    statements: list[Statement]  # one write, or the staged writes of a unit of work
    done: asyncio.Future[None]


@dataclass(slots=True, eq=False)
class _Unit:
    """One unit of work: begun at its first write, committed or rolled back at its end."""

    db: Database
    conn: aiosqlite.Connection | None = None  # the writer, once the unit has begun
    staged: list[Statement] = field(default_factory=list)  # to run at the next round trip
    committed: list[Callable[[], Any]] = field(default_factory=list)
    rolled_back: list[Callable[[], Any]] = field(default_factory=list)
    ended: bool = False  # committed or rolled back: what runs after is outside it
    marks: set[str] = field(default_factory=set)

    def marked(self, tag: str) -> bool:
        """True when something in the unit called `mark_unit(tag)` (e.g. it added to the
        outbox, which its caller then wakes once the unit has committed)."""
        return tag in self.marks


_current_unit: ContextVar[_Unit | None] = ContextVar("database_unit", default=None)


def mark_unit(tag: str) -> None:
    """Note `tag` on the unit of work in progress, if any (see `_Unit.marked`)."""
    unit = _current_unit.get()
    if unit is not None and not unit.ended:
        unit.marks.add(tag)


class Database:
    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.synchronous = synchronous.upper()
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._checkpointer: aiosqlite.Connection | None = None
        self._checkpointing = asyncio.Lock()  # one checkpoint at a time (SQLite's rule)
        self._write_lock = asyncio.Lock()
        self._queued: list[_QueuedWrite] = []
        self._flusher: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def connect(self) -> Database:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._open()
            await self._configure(self._writer, writer=True)
            await self.migrate()
            self._reader = await self._open()
            await self._configure(self._reader, writer=False)
            self._checkpointer = await self._open()
            await self._configure(self._checkpointer, writer=False)
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
            # Deleted and overwritten content is zeroed, not left in free space of the file.
            "secure_delete": 1,
        }
        if writer:
            await conn.execute("PRAGMA journal_mode = WAL")
            wanted["wal_autocheckpoint"] = AUTOCHECKPOINT_PAGES
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
                await self._apply(conn, number)
                log.info("database migrated to version %d", number)
            return max(version, LATEST_VERSION)

    async def _apply(self, conn: aiosqlite.Connection, number: int) -> None:
        """One migration in one transaction; a rebuild with foreign key enforcement off
        (it cannot be switched inside a transaction) and checked before it commits."""
        rebuild = number in REBUILDS
        if rebuild:
            await conn.execute("PRAGMA foreign_keys = OFF")
        try:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[number - 1]:
                    await conn.execute(statement)
                if rebuild:
                    broken = await (await conn.execute("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise DatabaseError(
                            f"DATABASE_PATH: migration {number} would break "
                            f"{len(broken)} foreign key(s); nothing was changed"
                        )
                await conn.execute(f"PRAGMA user_version = {number}")
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        finally:
            if rebuild:
                await conn.execute("PRAGMA foreign_keys = ON")

    async def close(self) -> None:
        if self._flusher is not None:
            with suppress(BaseException):
                await self._flusher
        for conn in (self._checkpointer, self._reader, self._writer):
            if conn is not None:
                try:
                    await conn.close()
                except Exception:
                    log.debug("closing a database connection failed", exc_info=True)
        self._checkpointer = self._reader = self._writer = None

    # -- access --------------------------------------------------------------------------

    def _require_writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise DatabaseError("database is not connected")
        return self._writer

    # -- units of work -------------------------------------------------------------------

    def _unit(self) -> _Unit | None:
        unit = _current_unit.get()
        return unit if unit is not None and unit.db is self and not unit.ended else None

    @property
    def in_unit(self) -> bool:
        """True inside `unit()` (in the task that opened it, or one it started)."""
        return self._unit() is not None

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[_Unit]:
        """Everything written inside the block is one transaction (see the module docstring)."""
        if self._unit() is not None:
            raise DatabaseError("units of work do not nest")
        unit = _Unit(self)
        token = _current_unit.set(unit)
        try:
            try:
                yield unit
            except BaseException:
                await self._end_unit(unit, commit=False)
                raise
            await self._end_unit(unit, commit=True)
        finally:
            _current_unit.reset(token)

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[None]:
        """Writes that belong together: part of the current unit of work, or a unit of
        their own outside one (staged writes then make one round trip)."""
        if self._unit() is not None:
            yield
            return
        async with self.unit():
            yield

    async def _trip(
        self, unit: _Unit, statements: Sequence[Statement] = (), *, commit: bool = False
    ) -> aiosqlite.Connection:
        """One round trip for the unit: BEGIN (the first time), what it staged, then
        `statements`, then COMMIT (`commit`)."""
        conn = self._require_writer()
        begin = unit.conn is None
        if begin:
            await self._write_lock.acquire()
        batch = [*unit.staged, *statements]
        unit.staged = []
        try:
            try:
                await run_batch(conn, batch, begin=begin, commit=commit)
            except asyncio.CancelledError:
                # The thread runs the batch all the same: wait until it has (its queue keeps
                # order) before deciding who owns the transaction, or a cancelled BEGIN could
                # leave one open that nobody ends.
                with suppress(BaseException):
                    await asyncio.shield(settled(conn))
                raise
        except BaseException:
            if begin:
                if conn.in_transaction:
                    unit.conn = conn  # begun: the unit's end rolls it back
                else:
                    self._write_lock.release()
            raise
        if begin:
            unit.conn = conn
        return conn

    async def _end_unit(self, unit: _Unit, *, commit: bool) -> None:
        try:
            if commit and unit.conn is None and unit.staged:
                # Never begun: its writes are committed with whatever else is waiting for the
                # writer, in one transaction (each unit under its own savepoint).
                staged, unit.staged = unit.staged, []
                try:
                    await self._queue(staged)
                except BaseException:
                    commit = False
                    raise
            elif commit and unit.conn is not None:
                try:
                    await self._trip(unit, commit=True)
                except BaseException:
                    commit = False
                    conn = unit.conn
                    if conn is not None and conn.in_transaction:
                        with suppress(Exception):
                            await conn.execute("ROLLBACK")
                    raise
            elif not commit and unit.conn is not None:
                with suppress(Exception):  # a dead connection rolled back by itself
                    await unit.conn.execute("ROLLBACK")
        finally:
            unit.ended = True
            unit.staged = []
            if unit.conn is not None:
                unit.conn = None
                self._write_lock.release()
            for callback in unit.committed if commit else unit.rolled_back:
                try:
                    outcome = callback()
                    if inspect.isawaitable(outcome):
                        await outcome
                except Exception:
                    log.exception("unit of work callback failed")

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run `callback` once the current unit commits (outside a unit: at once, and an
        awaitable it returns is then the caller's to await). Awaitables returned after a
        commit are awaited by the unit, with the writer released."""
        unit = self._unit()
        if unit is None:
            callback()
        else:
            unit.committed.append(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Run `callback` if the current unit rolls back (never outside a unit)."""
        unit = self._unit()
        if unit is not None:
            unit.rolled_back.append(callback)

    # -- writes --------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (BEGIN IMMEDIATE … COMMIT) holding the single writer; inside
        a unit of work, part of the unit's transaction."""
        unit = self._unit()
        if unit is not None:
            # Part of the unit's transaction: an exception out of it fails the whole unit.
            # Code that catches its own refusal and goes on uses `savepoint` instead.
            yield (
                unit.conn if unit.conn is not None and not unit.staged else await self._trip(unit)
            )
            return
        conn = self._require_writer()
        async with self._write_lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[aiosqlite.Connection]:
        """Writes undone alone when the block raises, while the unit of work goes on (a
        SAVEPOINT): for code that catches its own refusal inside a unit, where `transaction`
        would leave the writes made before the refusal to be committed with the unit. Outside
        a unit it is a transaction of its own. The savepoint is released with the unit's next
        round trip; only a refusal costs one more."""
        unit = self._unit()
        if unit is None:
            async with self.transaction() as conn:
                yield conn
            return
        name = f"block_{next(_SAVEPOINT_NUMBERS)}"
        conn = await self._trip(unit, [Statement(f"SAVEPOINT {name}")])
        try:
            yield conn
        except BaseException:
            unit.staged = []  # staged inside the block: never ran, and never will
            with suppress(Exception):  # a dead connection rolled back by itself
                await run_batch(conn, [Statement(f"ROLLBACK TO {name}"),
                                       Statement(f"RELEASE {name}")])
            raise
        unit.staged.append(Statement(f"RELEASE {name}"))

    async def stage(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), *, returning: bool = False
    ) -> Statement:
        """A write whose answer is not needed now. Inside a unit of work it is staged: it
        runs at the front of the unit's next round trip to the writer, at the latest with
        the commit, and its `rows` (`returning`: `… RETURNING`) are there after that.
        Outside a unit it is a group-committed write, run when this returns."""
        statement = Statement(sql, params, returning)
        unit = self._unit()
        if unit is not None:
            unit.staged.append(statement)
            return statement
        await self._queue([statement])
        return statement

    async def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """One statement, committed when this returns; returns the rows it changed.

        A statement that fails is rolled back alone (SQLite's statement-level rollback) and
        its error is raised here; the others of its group still commit. Not for statements
        that cannot run inside a transaction (VACUUM, journal_mode): those have their own
        connection (bot/db/backup.py) or run at connect time. Inside a unit of work the
        statement joins the unit's transaction (and is committed with it)."""
        statement = Statement(sql, params)
        await self._write_now(statement)
        return statement.rowcount

    async def _write_now(self, statement: Statement) -> None:
        """Run `statement` before returning: in the unit of work's transaction inside one
        (with what the unit staged), committed with the writer's next group otherwise."""
        unit = self._unit()
        if unit is not None:
            await self._trip(unit, [statement])
        else:
            await self._queue([statement])

    async def _queue(self, statements: list[Statement]) -> None:
        """Commit `statements` (all or none) with the group waiting for the writer."""
        self._require_writer()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append(_QueuedWrite(statements, done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        group: list[_QueuedWrite] = []
        try:
            while self._queued:
                async with self._write_lock:
                    group, self._queued = self._queued, []
                    await self._commit_group(group)
        except BaseException as error:  # closed under us, or cancelled: nobody waits forever
            for queued in (*group, *self._queued):
                if not queued.done.done():
                    queued.done.set_exception(
                        error if isinstance(error, Exception) else DatabaseError("writer stopped")
                    )
            self._queued = []
            if not isinstance(error, Exception):
                raise
        finally:
            self._flusher = None

    async def _commit_group(self, group: list[_QueuedWrite]) -> None:
        conn = self._require_writer()
        outcomes: list[BaseException | None]
        if len(group) == 1 and len(group[0].statements) == 1:  # autocommit: one statement
            try:
                await run_batch(conn, group[0].statements)
                outcomes = [None]
            except sqlite3.Error as error:
                outcomes = [error]
        else:
            try:
                outcomes = list(await run_group(conn, [queued.statements for queued in group]))
            except sqlite3.Error as error:  # not committed: every item failed with it
                outcomes = [error] * len(group)
        for queued, outcome in zip(group, outcomes, strict=True):
            if queued.done.done():  # the writer was cancelled; its statement ran regardless
                continue
            if outcome is not None:
                queued.done.set_exception(outcome)
            else:
                queued.done.set_result(None)

    async def fetchall_written(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        """One writing statement that returns rows (`… RETURNING`), committed like `write`:
        with the unit of work inside one, on its own otherwise."""
        statement = Statement(sql, params, returning=True)
        await self._write_now(statement)
        return statement.rows

    async def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        unit = self._unit()
        if unit is not None and (unit.conn is not None or unit.staged):
            # Read the unit's own writes (staged ones run first, in the same round trip).
            statement = Statement(sql, params, returning=True)
            await self._trip(unit, [statement])
            return statement.rows
        conn = self._reader or self._require_writer()
        return list(await conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def pragma(self, name: str) -> Any:
        return await self.fetchval(f"PRAGMA {name}")

    async def checkpoint(self) -> bool:
        """Copy what the WAL holds into the database file without waiting for anyone (a
        PASSIVE checkpoint, on its own connection: the writer goes on meanwhile). True when
        every frame was copied (the next transaction then starts the WAL from its beginning)."""
        conn = self._checkpointer or self._require_writer()
        async with self._checkpointing:
            rows = await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        busy, frames, copied = rows[0]
        return not busy and frames == copied

    async def truncate_wal(self) -> bool:
        """Copy every page from the WAL into the main file and cut the WAL to zero bytes, so
        no old image of a page (say, with rows just erased) stays in it. Runs between
        transactions, holding the writer; True when done (False: a reader kept an old
        snapshot past the busy timeout, the next checkpoint copies it)."""
        if self._unit() is not None:  # only what is committed can be checkpointed
            self.after_commit(self.truncate_wal)
            return True
        conn = self._require_writer()
        # Never while `checkpoint()` runs: SQLite refuses a second checkpointer at once.
        async with self._write_lock, self._checkpointing:
            row = await (await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")).fetchone()
        if row[0]:
            log.warning("WAL checkpoint was blocked by a reader; it stays until the next one")
        return not row[0]
