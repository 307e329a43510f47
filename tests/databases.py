"""Fresh databases for tests: the migrations run once per test session on a template file,
and each test starts from a copy of it (what a first start leaves behind, without paying for
the migrations and their fsyncs again in every test). tests/test_database.py still migrates
empty files. And `count_trips`, the round trips a connection makes to its thread."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite

from bot.db import Database

_template: Path | None = None
_folder: tempfile.TemporaryDirectory[str] | None = None  # removed when the session ends


async def _migrated_template() -> Path:
    global _template, _folder
    if _template is None:
        _folder = tempfile.TemporaryDirectory(prefix="migrated-")
        path = Path(_folder.name) / "template.sqlite3"
        database = await Database(path).connect()
        await database.close()  # the last close checkpoints the WAL into the file
        _template = path
    return _template


def _place(template: Path, path: Path) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)


async def place_fresh_database(path: Path) -> None:
    """Put a freshly migrated, empty database file at `path`, unless one is there already
    (then the bot simply opens that one, as before)."""
    _place(await _migrated_template(), path)


async def fresh_database(path: Path) -> Database:
    """A connected database at `path`: freshly migrated and empty unless one was there."""
    await place_fresh_database(path)
    return await Database(path).connect()


def count_trips(conn: aiosqlite.Connection) -> list[str]:
    """From now on, every call `conn` queues to its thread, by the function's name (the list
    grows as they are made)."""
    queued: list[str] = []
    real: Callable[..., Any] = conn._execute

    async def counting(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        queued.append(getattr(fn, "__name__", repr(fn)))
        return await real(fn, *args, **kwargs)

    conn._execute = counting  # type: ignore[method-assign]
    return queued
