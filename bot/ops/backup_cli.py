"""`python -m bot backup [DEST] [--keep N]`: one backup now, the path printed on stdout."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.ops.backup import BackupError, make_backup

EXIT_FAILED, EXIT_CONFIG = 1, 2


def run_backup_command(settings: Settings, dest: Path | None, keep: int | None) -> int:
    folder = dest or settings.backup_dir
    if folder is None:
        print("configuration error: give a backup folder or set BACKUP_DIR", file=sys.stderr)
        return EXIT_CONFIG
    keep = settings.backup_keep if keep is None else keep
    if keep < 1:
        print("configuration error: --keep must be at least 1", file=sys.stderr)
        return EXIT_CONFIG
    try:
        path = make_backup(settings.database_path, folder.expanduser(), keep)
    except BackupError as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(path)
    return 0
