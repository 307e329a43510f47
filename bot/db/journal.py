"""The sent journal: Bot API responses recorded per (update, call number) for replays."""

from __future__ import annotations

import time

from bot.db.database import Database


class JournalRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, update_id: int, seq: int, method: str, response: str) -> None:
        await self.db.write(
            "INSERT OR REPLACE INTO sent_journal (update_id, seq, method, response, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (update_id, seq, method, response, time.time()),
        )

    async def recorded(self, update_id: int) -> dict[int, tuple[str, str]]:
        rows = await self.db.fetchall(
            "SELECT seq, method, response FROM sent_journal WHERE update_id = ?", (update_id,)
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    async def forget_chat(self, chat_id: int) -> int:
        """Drop every copy of what was sent to one chat (its personal data is being erased)."""
        return await self.db.write(
            "DELETE FROM sent_journal WHERE json_extract(response, '$.chat.id') = ?", (chat_id,)
        )

    async def forget_finished(self, batch: int = 500) -> int:
        """Drop what finished updates sent, `batch` rows per statement so that other writes
        get the writer in between. Marking an update done or failed already drops its rows
        (migration 5); this sweeps what escaped that (an update erased from the inbox)."""
        forgotten = 0
        while True:
            deleted = await self.db.write(
                "DELETE FROM sent_journal WHERE (update_id, seq) IN ("
                "SELECT update_id, seq FROM sent_journal WHERE update_id NOT IN "
                "(SELECT update_id FROM inbox WHERE status = 'pending') LIMIT ?)",
                (batch,),
            )
            forgotten += deleted
            if deleted < batch:
                return forgotten

    async def prune(self, older_than_seconds: float) -> int:
        return await self.db.write(
            "DELETE FROM sent_journal WHERE at < ?", (time.time() - older_than_seconds,)
        )
