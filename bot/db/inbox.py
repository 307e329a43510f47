"""The durable inbox of Telegram updates: stored before they are acknowledged, processed from here."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from bot.db.repository import Repository


@dataclass(frozen=True, slots=True)
class InboxItem:
    update_id: int
    payload: str
    attempts: int


_ROWS_PER_STATEMENT = 500  # 6 parameters a row, far below SQLite's 32,766


class InboxRepo(Repository):
    async def store(
        self, updates: list[tuple[int, str]], failed: Mapping[int, str] | None = None
    ) -> list[int]:
        """Commit new updates; return the ids that were not seen before (in input order).
        Those named in `failed` (update id → why) are stored as failed, not to be processed:
        updates that cannot be parsed are kept and acknowledged, never retried forever."""
        if not updates:
            return []
        failed = failed or {}
        now = time.time()
        fresh: set[int] = set()
        for start in range(0, len(updates), _ROWS_PER_STATEMENT):
            chunk = updates[start : start + _ROWS_PER_STATEMENT]
            params: list[object] = []
            for update_id, payload in chunk:
                why = failed.get(update_id)
                params += (
                    [update_id, payload, now, "pending", None, None]
                    if why is None
                    else [update_id, payload, now, "failed", now, why[:500]]
                )
            # One statement (one round trip): an id seen before, or twice in the batch, is
            # skipped by the conflict clause and so not returned.
            rows = await self.db.fetchall_written(
                "INSERT INTO inbox (update_id, payload, received_at, status, processed_at, "
                f"error) VALUES {', '.join(['(?, ?, ?, ?, ?, ?)'] * len(chunk))} "
                "ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                params,
            )
            fresh.update(row[0] for row in rows)
        ordered: dict[int, None] = {}
        for update_id, _ in updates:
            if update_id in fresh:
                ordered.setdefault(update_id)
        return list(ordered)

    async def pending(self, limit: int = 1000) -> list[InboxItem]:
        return await self.fetch_models(
            InboxItem,
            "SELECT update_id, payload, attempts FROM inbox WHERE status = 'pending' "
            "ORDER BY update_id LIMIT ?",
            (limit,),
        )

    async def get(self, update_id: int) -> InboxItem | None:
        return await self.fetch_model(
            InboxItem,
            "SELECT update_id, payload, attempts FROM inbox WHERE update_id = ? "
            "AND status = 'pending'",
            (update_id,),
        )

    async def recover(self, max_attempts: int) -> int:
        """At start: give up (mark failed) the unfinished updates whose replay has already
        started `max_attempts` times — a poison update that kills the process must not kill
        every restart. An update that waited behind others and never ran is not counted (see
        `start_replay`). Returns how many were given up."""
        return await self.db.write(
            "UPDATE inbox SET status = 'failed', processed_at = ?, "
            "error = 'gave up after repeated crashes' "
            "WHERE status = 'pending' AND attempts >= ?",
            (time.time(), max_attempts),
        )

    async def start_replay(self, update_id: int) -> None:
        """Count one more attempt: a replay of an unfinished update is about to run."""
        await self.db.write(
            "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ? AND status = 'pending'",
            (update_id,),
        )

    async def mark_done(self, update_id: int) -> None:
        """Done: only the id stays (to recognise a redelivery); the payload, which holds what
        the person wrote, is not needed any more."""
        await self.db.stage(
            "UPDATE inbox SET status = 'done', processed_at = ?, payload = '' WHERE update_id = ?",
            (time.time(), update_id),
        )

    async def mark_failed(self, update_id: int, error: str) -> None:
        await self.db.stage(
            "UPDATE inbox SET status = 'failed', processed_at = ?, error = ? WHERE update_id = ?",
            (time.time(), error[:500], update_id),
        )

    async def count(self, status: str) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM inbox WHERE status = ?", (status,)))

    async def oldest_pending_age(self) -> float:
        received = await self.db.fetchval(
            "SELECT min(received_at) FROM inbox WHERE status = 'pending'"
        )
        return 0.0 if received is None else max(0.0, time.time() - received)

    async def prune(self, older_than_seconds: float) -> int:
        """Forget processed updates older than the retention window (keeps dedup window)."""
        return await self.db.write(
            "DELETE FROM inbox WHERE status <> 'pending' AND processed_at < ?",
            (time.time() - older_than_seconds,),
        )
