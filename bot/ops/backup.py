"""Database backups as files: `bot-<UTC time>.sqlite3` in a folder, the newest N kept.

A backup is written to a hidden temporary file in the folder (`VACUUM INTO`), checked with
`PRAGMA integrity_check`, made private (0600: it holds personal data), flushed to disk and
renamed into place, so a listed backup is always complete. Restore = stop the bot, copy a
backup over DATABASE_PATH, delete DATABASE_PATH-wal and -shm, start (see docs/operations.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.db.backup import BackupError, integrity_check, vacuum_into

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^bot-(\d{8}T\d{6}Z)(?:-(\d+))?\.sqlite3$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
TEMP_PREFIX = ".bot-"
TEMP_SUFFIX = ".sqlite3.tmp"
STALE_TEMP_SECONDS = 3600

__all__ = ["BackupError", "BackupFile", "list_backups", "make_backup", "prune_backups"]


@dataclass(frozen=True, slots=True, order=True)
class BackupFile:
    taken_at: datetime  # UTC, from the name
    serial: int  # 0, or the -N suffix of a second backup within the same second
    path: Path


def list_backups(folder: Path) -> list[BackupFile]:
    """Backups in `folder`, oldest first (files of other names are not ours and left alone)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = NAME_RE.match(path.name)
        if match is None or not path.is_file():
            continue
        taken = datetime.strptime(match[1], STAMP_FORMAT).replace(tzinfo=UTC)
        found.append(BackupFile(taken, int(match[2] or 0), path))
    return sorted(found)


def make_backup(
    database: Path, folder: Path, keep: int, *, now: datetime | None = None
) -> Path:
    """Back up `database` into `folder`, keep the newest `keep`; return the new file.

    Blocking (run it in a thread from async code). Raises BackupError."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot create {folder}: {error.strerror or error}") from None
    _remove_stale_temps(folder)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(STAMP_FORMAT)
    temp = folder / f"{TEMP_PREFIX}{stamp}-{os.getpid()}{TEMP_SUFFIX}"
    temp.unlink(missing_ok=True)
    try:
        vacuum_into(database, temp)
        problems = integrity_check(temp)
        if problems:
            raise BackupError(f"the copy failed its integrity check: {'; '.join(problems[:5])}")
        os.chmod(temp, 0o600)
        _fsync(temp)
        target = _free_name(folder, stamp)
        os.replace(temp, target)
        _fsync(folder)
    except OSError as error:
        raise BackupError(f"cannot write a backup in {folder}: {error.strerror or error}") from None
    finally:
        temp.unlink(missing_ok=True)
    removed = prune_backups(folder, keep)
    log.info(
        "backup %s written (%d bytes); %d old backup(s) removed",
        target, target.stat().st_size, len(removed),
    )
    return target


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; return the deleted files."""
    backups = list_backups(folder)
    doomed = [backup.path for backup in backups[: max(0, len(backups) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _free_name(folder: Path, stamp: str) -> Path:
    target = folder / f"bot-{stamp}.sqlite3"
    serial = 1
    while target.exists():
        serial += 1
        target = folder / f"bot-{stamp}-{serial}.sqlite3"
    return target


def _remove_stale_temps(folder: Path) -> None:
    """Temporary files of backups that crashed midway (not of one running now)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for path in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
