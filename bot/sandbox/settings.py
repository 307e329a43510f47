"""The bot's settings inside the sandbox: a fixed token, the emulator as Telegram, its own DB.

The sandbox never opens the production database: its file sits beside DATABASE_PATH under
another name, and only that file (with its WAL/SHM/journal companions) is ever deleted.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.config import Settings
from bot.sandbox.cast import Cast

SANDBOX_TOKEN = "100000001:SANDBOX-offline-token_never-sent-to-Telegram"
SANDBOX_DB_NAME = "sandbox.sqlite3"
DB_COMPANIONS = ("", "-wal", "-shm", "-journal")
SHUTDOWN_GRACE_SECONDS = 3.0


def sandbox_database_path(settings: Settings) -> Path:
    """`sandbox.sqlite3` beside DATABASE_PATH; another name if DATABASE_PATH is that file."""
    production = settings.database_path.expanduser()
    path = production.parent / SANDBOX_DB_NAME
    if path.resolve() == production.resolve():
        path = production.parent / f"preview-{SANDBOX_DB_NAME}"
    return path


def bot_settings(settings: Settings, api_base: str, database: Path, cast: Cast) -> Settings:
    """A copy of `settings` for the bot inside the sandbox."""
    return settings.model_copy(
        update={
            "bot_token": SecretStr(SANDBOX_TOKEN),
            "telegram_api_base": api_base,
            "database_path": database,
            "consultants_chat_id": cast.group_id,
            "consultants_thread_id": None,
            "admin_ids": cast.admin_ids,
            "shutdown_grace_seconds": min(settings.shutdown_grace_seconds, SHUTDOWN_GRACE_SECONDS),
        }
    )


def delete_database(path: Path) -> list[Path]:
    """Delete the sandbox database files; returns those that existed."""
    removed = []
    for suffix in DB_COMPANIONS:
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()
            removed.append(candidate)
    return removed
