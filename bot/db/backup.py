"""SQLite side of backups: a consistent copy with `VACUUM INTO`, and `PRAGMA integrity_check`.

Blocking functions on their own short-lived connections (run them in a thread from async
code). `VACUUM INTO` reads one snapshot, so the running bot keeps writing meanwhile (WAL).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

BUSY_TIMEOUT_SECONDS = 30.0


class BackupError(Exception):
    """A backup could not be made or did not check out (message is safe to print)."""


def vacuum_into(source: Path, target: Path) -> None:
    """Write a compact, consistent copy of the database `source` to the new file `target`."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    # Not read-only: a read-only connection cannot remove the -wal/-shm files it creates
    # when the bot is not running; this one only reads all the same.
    try:
        with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as conn:
            conn.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy {source} to {target}: {error}") from None


def integrity_check(path: Path) -> list[str]:
    """Problems `PRAGMA integrity_check` finds in the database file `path` (empty when ok)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as error:
        return [f"cannot read {path}: {error}"]
    problems = [str(row[0]) for row in rows if str(row[0]) != "ok"]
    if version == 0:
        problems.append("no schema (user_version 0)")
    return problems
