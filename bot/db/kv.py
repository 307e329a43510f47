"""Small process-wide facts in the `kv` table (the bound consultants' group, outages)."""

from __future__ import annotations

import aiosqlite

from bot.db.repository import Repository


class KvRepo(Repository):
    async def get(self, key: str) -> str | None:
        value = await self.db.fetchval("SELECT value FROM kv WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self.db.write(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def delete(self, key: str) -> None:
        await self.db.write("DELETE FROM kv WHERE key = ?", (key,))


async def kv_get(conn: aiosqlite.Connection, key: str) -> str | None:
    """Read a key inside the caller's transaction."""
    rows = await conn.execute_fetchall("SELECT value FROM kv WHERE key = ?", (key,))
    return str(rows[0][0]) if rows else None


async def kv_set(conn: aiosqlite.Connection, key: str, value: str) -> None:
    """Write a key inside the caller's transaction."""
    await conn.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
