"""Persistence: the SQLite database, its migrations and the repositories (all SQL lives here)."""

from bot.db.database import Database, DatabaseError

__all__ = ["Database", "DatabaseError"]
