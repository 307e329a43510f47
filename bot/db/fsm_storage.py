"""aiogram FSM storage on SQLite: state and data per key, data as JSON (never pickle).

Every write is stamped with the id of the update being handled (when there is one), so a
handler replayed after a crash can tell that its state change was already committed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)

from bot.db.database import Database
from bot.replay_journal import current_update_id

_UPSERT = (
    "INSERT INTO fsm (key, user_id, chat_id, {columns}, update_id) VALUES (?, ?, ?, {marks}, ?) "
    "ON CONFLICT (key) DO UPDATE SET {assignments}, update_id = excluded.update_id"
)


def _upsert(*columns: str) -> str:
    return _UPSERT.format(
        columns=", ".join(columns),
        marks=", ".join("?" * len(columns)),
        assignments=", ".join(f"{c} = excluded.{c}" for c in columns),
    )


SET_STATE = _upsert("state")
SET_DATA = _upsert("data")
SET_BOTH = _upsert("state", "data")


def _dump(data: Mapping[str, Any]) -> str:
    if not isinstance(data, Mapping):
        raise TypeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
    return json.dumps(dict(data), ensure_ascii=False, separators=(",", ":"))


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(
            with_bot_id=True, with_business_connection_id=True, with_destiny=True
        )

    def _ids(self, key: StorageKey) -> tuple[str, int, int]:
        return self.key_builder.build(key), key.user_id, key.chat_id

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self.db.write(SET_STATE, (*self._ids(key), _state_name(state), current_update_id()))

    async def get_state(self, key: StorageKey) -> str | None:
        return await self.db.fetchval("SELECT state FROM fsm WHERE key = ?", (self._ids(key)[0],))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.db.write(SET_DATA, (*self._ids(key), _dump(data), current_update_id()))

    async def set_state_and_data(
        self, key: StorageKey, state: StateType, data: Mapping[str, Any]
    ) -> None:
        """Both in one statement: a crash never leaves a new state with old data."""
        await self.db.write(
            SET_BOTH, (*self._ids(key), _state_name(state), _dump(data), current_update_id())
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        raw = await self.db.fetchval("SELECT data FROM fsm WHERE key = ?", (self._ids(key)[0],))
        return {} if raw is None else json.loads(raw)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        # Read-modify-write under the single writer so concurrent updates never lose a field.
        ids = self._ids(key)
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall("SELECT data FROM fsm WHERE key = ?", (ids[0],))
            current = json.loads(rows[0][0]) if rows else {}
            current.update(data)
            await conn.execute(SET_DATA, (*ids, _dump(current), current_update_id()))
        return dict(current)

    async def written_by(self, key: StorageKey) -> int | None:
        """The update whose handler last wrote this record (None when unknown)."""
        return await self.db.fetchval(
            "SELECT update_id FROM fsm WHERE key = ?", (self._ids(key)[0],)
        )

    async def delete_for_user(self, user_id: int) -> int:
        """Erase every FSM record of one user (privacy: /delete_me)."""
        return await self.db.write("DELETE FROM fsm WHERE user_id = ?", (user_id,))

    async def close(self) -> None:
        # The Database is owned by the application, which closes it.
        return None
