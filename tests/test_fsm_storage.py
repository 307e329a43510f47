"""Contract of aiogram's BaseStorage, checked against the SQLite storage and, as a reference,
aiogram's own MemoryStorage: both must behave the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.db import Database
from bot.db.fsm_storage import SQLiteStorage

KEY = StorageKey(bot_id=42, chat_id=-100, user_id=7)


class Form(StatesGroup):
    name = State()


@pytest.fixture(params=["sqlite", "sqlite-cache-of-one", "memory"])
async def storage(request: pytest.FixtureRequest, db: Database) -> AsyncIterator[BaseStorage]:
    store: BaseStorage = {
        "sqlite": lambda: SQLiteStorage(db),
        "sqlite-cache-of-one": lambda: SQLiteStorage(db, cache_size=1),  # evicts all the time
        "memory": MemoryStorage,
    }[request.param]()
    yield store
    await store.close()


async def test_state_is_set_read_and_cleared(storage: BaseStorage) -> None:
    assert await storage.get_state(KEY) is None
    await storage.set_state(KEY, "state")
    assert await storage.get_state(KEY) == "state"
    await storage.set_state(KEY, None)
    assert await storage.get_state(KEY) is None


async def test_state_object_is_stored_by_name(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.name)
    assert await storage.get_state(KEY) == "Form:name"


async def test_data_is_set_read_and_emptied(storage: BaseStorage) -> None:
    assert await storage.get_data(KEY) == {}
    await storage.set_data(KEY, {"foo": "bar", "n": [1, 2], "ru": "озеро"})
    assert await storage.get_data(KEY) == {"foo": "bar", "n": [1, 2], "ru": "озеро"}
    await storage.set_data(KEY, {})
    assert await storage.get_data(KEY) == {}


async def test_update_data_merges_and_returns_the_result(storage: BaseStorage) -> None:
    assert await storage.update_data(KEY, {"foo": "bar"}) == {"foo": "bar"}
    assert await storage.update_data(KEY, {}) == {"foo": "bar"}
    assert await storage.update_data(KEY, {"baz": "spam"}) == {"foo": "bar", "baz": "spam"}
    assert await storage.update_data(KEY, {"baz": "test"}) == {"foo": "bar", "baz": "test"}
    assert await storage.get_data(KEY) == {"foo": "bar", "baz": "test"}


async def test_get_value_reads_one_field_with_default(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"hello": "world"})
    assert await storage.get_value(KEY, "hello") == "world"
    assert await storage.get_value(KEY, "missing") is None
    assert await storage.get_value(KEY, "missing", "dflt") == "dflt"


async def test_state_and_data_are_independent(storage: BaseStorage) -> None:
    await storage.set_state(KEY, "s")
    await storage.set_data(KEY, {"a": 1})
    await storage.set_state(KEY, None)
    assert await storage.get_data(KEY) == {"a": 1}
    await storage.set_data(KEY, {})
    await storage.set_state(KEY, "t")
    assert await storage.get_state(KEY) == "t"


@pytest.mark.parametrize(
    "other",
    [
        StorageKey(bot_id=43, chat_id=-100, user_id=7),
        StorageKey(bot_id=42, chat_id=-101, user_id=7),
        StorageKey(bot_id=42, chat_id=-100, user_id=8),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, thread_id=5),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, destiny="other"),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, business_connection_id="bc"),
    ],
)
async def test_keys_that_differ_in_any_part_do_not_share_records(
    storage: BaseStorage, other: StorageKey
) -> None:
    await storage.set_state(KEY, "mine")
    await storage.set_data(KEY, {"mine": True})
    assert await storage.get_state(other) is None
    assert await storage.get_data(other) == {}


async def test_returned_data_is_a_copy(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"a": 1})
    data = await storage.get_data(KEY)
    data["new"] = 1
    assert await storage.get_data(KEY) == {"a": 1}


async def test_sqlite_storage_survives_reopening(db_path: Path) -> None:
    first = await Database(db_path).connect()
    await SQLiteStorage(first).set_state(KEY, "kept")
    await SQLiteStorage(first).set_data(KEY, {"segments": ["розница", "дилеры"]})
    await first.close()
    second = await Database(db_path).connect()
    try:
        storage = SQLiteStorage(second)
        assert await storage.get_state(KEY) == "kept"
        assert await storage.get_data(KEY) == {"segments": ["розница", "дилеры"]}
    finally:
        await second.close()


async def test_sqlite_storage_refuses_data_that_is_not_json(db: Database) -> None:
    with pytest.raises(TypeError):
        await SQLiteStorage(db).set_data(KEY, {"obj": object()})
    assert await SQLiteStorage(db).get_data(KEY) == {}


async def test_concurrent_update_data_loses_no_field(db: Database) -> None:
    storage = SQLiteStorage(db)
    await asyncio.gather(*(storage.update_data(KEY, {f"f{i}": i}) for i in range(50)))
    assert await storage.get_data(KEY) == {f"f{i}": i for i in range(50)}


async def test_delete_for_user_erases_only_that_user(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_data(KEY, {"phone": "+79161234567"})
    neighbour = StorageKey(bot_id=42, chat_id=-100, user_id=70)
    await storage.set_data(neighbour, {"phone": "+79160000000"})
    await storage.delete_for_user(7)
    assert await storage.get_data(KEY) == {}
    assert await storage.get_data(neighbour) == {"phone": "+79160000000"}


# -- the read cache -------------------------------------------------------------------------


async def _trace_reads(db: Database) -> list[str]:
    seen: list[str] = []
    assert db._reader is not None
    await db._reader.set_trace_callback(lambda sql: seen.append(sql) if "fsm" in sql else None)
    return seen


async def test_state_and_data_just_written_are_read_without_a_query(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state_and_data(KEY, Form.name, {"step": "name"})
    reads = await _trace_reads(db)
    for _ in range(3):
        assert await storage.get_state(KEY) == Form.name.state
        assert await storage.get_data(KEY) == {"step": "name"}
    await storage.set_state(KEY, None)
    await storage.update_data(KEY, {"more": 1})
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {"step": "name", "more": 1}
    assert reads == []
    fresh = SQLiteStorage(db)  # what the cache says is what SQLite holds
    assert await fresh.get_state(KEY) is None
    assert await fresh.get_data(KEY) == {"step": "name", "more": 1}


async def test_a_failed_write_leaves_the_cache_in_step_with_sqlite(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state_and_data(KEY, Form.name, {"step": "name"})
    with pytest.raises(TypeError):
        await storage.set_data(KEY, {"bad": object()})  # not JSON: nothing written
    assert await storage.get_data(KEY) == {"step": "name"}
    await db.write("UPDATE fsm SET state = 'changed behind its back'")
    storage.forget_user(KEY.user_id)
    assert await storage.get_state(KEY) == "changed behind its back"
