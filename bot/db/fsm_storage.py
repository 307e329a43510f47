"""aiogram FSM storage on SQLite: state and data per key, data as JSON (never pickle)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from bot.db.database import Database


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(
            with_bot_id=True, with_business_connection_id=True, with_destiny=True
        )

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self.db.write(
            "INSERT INTO fsm (key, user_id, chat_id, state) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state",
            (self._key(key), key.user_id, key.chat_id, value),
        )

    async def get_state(self, key: StorageKey) -> str | None:
        return await self.db.fetchval("SELECT state FROM fsm WHERE key = ?", (self._key(key),))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise TypeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        payload = json.dumps(dict(data), ensure_ascii=False, separators=(",", ":"))
        await self.db.write(
            "INSERT INTO fsm (key, user_id, chat_id, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            (self._key(key), key.user_id, key.chat_id, payload),
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        raw = await self.db.fetchval("SELECT data FROM fsm WHERE key = ?", (self._key(key),))
        return {} if raw is None else json.loads(raw)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        # Read-modify-write under the single writer so concurrent updates never lose a field.
        db_key = self._key(key)
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall("SELECT data FROM fsm WHERE key = ?", (db_key,))
            current = json.loads(rows[0][0]) if rows else {}
            current.update(data)
            payload = json.dumps(current, ensure_ascii=False, separators=(",", ":"))
            await conn.execute(
                "INSERT INTO fsm (key, user_id, chat_id, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET data = excluded.data",
                (db_key, key.user_id, key.chat_id, payload),
            )
        return dict(current)

    async def delete_for_user(self, user_id: int) -> int:
        """Erase every FSM record of one user (privacy: /delete_me)."""
        return await self.db.write("DELETE FROM fsm WHERE user_id = ?", (user_id,))

    async def close(self) -> None:
        # The Database is owned by the application, which closes it.
        return None
