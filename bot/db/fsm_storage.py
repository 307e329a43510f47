"""aiogram FSM storage on SQLite: state and data per key, data as JSON (never pickle).

Reads are served from a write-through cache of recent keys: every update reads its state at
least twice (aiogram's FSM middleware, then the handler), and this process is the only
writer. Writes go to SQLite first and then to the cache; a write inside a unit of work that
is rolled back drops its key from the cache (bot/db/database.py), so a rolled-back update
leaves no trace. A read that raced a write is not cached. Rows changed behind the storage's back (the privacy erasure) must be
followed by `forget_user`. The cache keeps the 2,000 keys last written or loaded (conversations
in progress; a draft is 1–2 KB), enough for every owner active at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
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

_UPSERT = (
    "INSERT INTO fsm (key, user_id, chat_id, {columns}) VALUES (?, ?, ?, {marks}) "
    "ON CONFLICT (key) DO UPDATE SET {assignments}"
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


@dataclass(slots=True)
class _Cached:
    user_id: int
    state: str | None
    data: str | None  # JSON as stored; None: no row


class SQLiteStorage(BaseStorage):
    def __init__(
        self, db: Database, key_builder: KeyBuilder | None = None, *, cache_size: int = 2_000
    ) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(
            with_bot_id=True, with_business_connection_id=True, with_destiny=True
        )
        self.cache_size = cache_size
        self._cache: dict[str, _Cached] = {}
        self._writes = 0  # bumped by every write and erasure: a read that saw it move is stale

    def _ids(self, key: StorageKey) -> tuple[str, int, int]:
        return self.key_builder.build(key), key.user_id, key.chat_id

    async def _load(self, key: StorageKey) -> _Cached:
        name, user_id, _ = self._ids(key)
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        writes = self._writes
        row = await self.db.fetchone("SELECT state, data FROM fsm WHERE key = ?", (name,))
        loaded = _Cached(user_id, *(tuple(row) if row is not None else (None, None)))
        if writes == self._writes:
            self._remember(name, loaded)
        return loaded

    def _remember(self, name: str, entry: _Cached) -> None:
        self._cache.pop(name, None)
        self._cache[name] = entry
        if len(self._cache) > self.cache_size:
            del self._cache[next(iter(self._cache))]  # the oldest written or read

    def _written(self, name: str, user_id: int, state: Any = ..., data: str | None = ...) -> None:
        """After a committed write: the new state and/or data (`...`: unchanged)."""
        self._writes += 1
        cached = self._cache.get(name)
        if state is not ... and data is not ...:
            self._remember(name, _Cached(user_id, state, data))
        elif cached is not None:
            self._remember(
                name,
                _Cached(
                    user_id,
                    cached.state if state is ... else state,
                    (cached.data if cached.data is not None else "{}") if data is ... else data,
                ),
            )

    def _forget_key(self, name: str) -> None:
        self._writes += 1
        self._cache.pop(name, None)

    def forget_user(self, user_id: int) -> None:
        """Drop the cached records of one user (after their rows were deleted elsewhere)."""
        self._writes += 1
        for name in [name for name, entry in self._cache.items() if entry.user_id == user_id]:
            del self._cache[name]

    async def _write(self, name: str, sql: str, params: tuple[Any, ...]) -> None:
        try:
            await self.db.stage(sql, params)  # in a unit: runs with its next round trip
        except BaseException:  # committed or not, the cache no longer knows
            self._forget_key(name)
            raise
        self.db.after_rollback(lambda: self._forget_key(name))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        ids = self._ids(key)
        await self._write(ids[0], SET_STATE, (*ids, _state_name(state)))
        self._written(ids[0], ids[1], state=_state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        ids, dumped = self._ids(key), _dump(data)
        await self._write(ids[0], SET_DATA, (*ids, dumped))
        self._written(ids[0], ids[1], data=dumped)

    async def set_state_and_data(
        self, key: StorageKey, state: StateType, data: Mapping[str, Any]
    ) -> None:
        """Both in one statement: a crash never leaves a new state with old data."""
        ids, name, dumped = self._ids(key), _state_name(state), _dump(data)
        await self._write(ids[0], SET_BOTH, (*ids, name, dumped))
        self._written(ids[0], ids[1], state=name, data=dumped)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        raw = (await self._load(key)).data
        return {} if raw is None else json.loads(raw)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        # Read-modify-write under the single writer so concurrent updates never lose a field.
        ids = self._ids(key)
        self._forget_key(ids[0])
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall(
                "SELECT state, data FROM fsm WHERE key = ?", (ids[0],)
            )
            state, current = (rows[0][0], json.loads(rows[0][1])) if rows else (None, {})
            current.update(data)
            dumped = _dump(current)
            await conn.execute(SET_DATA, (*ids, dumped))
        self._written(ids[0], ids[1], state=state, data=dumped)
        return dict(current)

    async def delete_for_user(self, user_id: int) -> int:
        """Erase every FSM record of one user (privacy: /delete_me)."""
        try:
            return await self.db.write("DELETE FROM fsm WHERE user_id = ?", (user_id,))
        finally:
            self.forget_user(user_id)
            self.db.after_rollback(lambda: self.forget_user(user_id))

    async def close(self) -> None:
        # The Database is owned by the application, which closes it.
        return None
