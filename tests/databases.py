"""Fresh databases for tests: the migrations run once per test session on a template file,
and each test starts from a copy of it (what a first start leaves behind, without paying for
the migrations and their fsyncs again in every test). tests/test_database.py still migrates
empty files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

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
