"""Append-only schema migrations, applied in order under `PRAGMA user_version`.

Never edit or reorder a released migration: add a new one at the end. Each migration is a
tuple of single SQL statements (run in one transaction together with the version bump).
Timestamps are REAL unix seconds (UTC).
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: foundation — users, durable update inbox, FSM storage.
    (
        """
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            first_name    TEXT    NOT NULL DEFAULT '',
            last_name     TEXT,
            username      TEXT,
            language_code TEXT,
            first_seen    REAL    NOT NULL,
            last_seen     REAL    NOT NULL,
            start_payload TEXT,
            lesson        INTEGER NOT NULL DEFAULT 0,
            lessons_done_at REAL
        )
        """,
        """
        CREATE TABLE inbox (
            update_id    INTEGER PRIMARY KEY,
            payload      TEXT    NOT NULL,
            received_at  REAL    NOT NULL,
            status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'done', 'failed')),
            attempts     INTEGER NOT NULL DEFAULT 0,
            processed_at REAL,
            error        TEXT
        )
        """,
        "CREATE INDEX inbox_pending ON inbox (update_id) WHERE status = 'pending'",
        "CREATE INDEX inbox_processed_at ON inbox (processed_at) WHERE status <> 'pending'",
        """
        CREATE TABLE fsm (
            key     TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            state   TEXT,
            data    TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX fsm_user ON fsm (user_id)",
    ),
)

LATEST_VERSION = len(MIGRATIONS)
