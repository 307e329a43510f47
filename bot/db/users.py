"""Owners and consultants the bot has seen: names, first/last seen, start payload, lesson progress."""

from __future__ import annotations

import time

from bot.db.database import Database
from bot.db.funnel import stage_event
from bot.db.models import UserRow
from bot.db.repository import Repository

# A user's row is rewritten at most this often when nothing else about them changed.
TOUCH_INTERVAL_SECONDS = 300.0

_COLUMNS = (
    "id, first_name, last_name, username, language_code, first_seen, last_seen, "
    "start_payload, lesson, lessons_done_at"
)


class UserRepo(Repository):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._touched: dict[int, tuple[float, tuple[object, ...]]] = {}

    async def seen(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> None:
        """Record that the user was active (creates the row on first contact)."""
        now = time.time()
        names = (first_name, last_name, username, language_code)
        cached = self._touched.get(user_id)
        if cached and cached[1] == names and now - cached[0] < TOUCH_INTERVAL_SECONDS:
            return
        await self.db.write(
            "INSERT INTO users (id, first_name, last_name, username, language_code, "
            "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, "
            "last_name = excluded.last_name, username = excluded.username, "
            "language_code = excluded.language_code, last_seen = excluded.last_seen",
            (user_id, first_name, last_name, username, language_code, now, now),
        )
        self._touched[user_id] = (now, names)
        self.db.after_rollback(lambda: self.forget_cache(user_id))
        if len(self._touched) > 100_000:
            self._touched.clear()

    async def get(self, user_id: int) -> UserRow | None:
        return await self.fetch_model(
            UserRow, f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)
        )

    async def set_start_payload(self, user_id: int, payload: str) -> bool:
        """Keep the first start payload only; True when this one was stored."""
        changed = await self.db.write(
            "UPDATE users SET start_payload = ? WHERE id = ? AND start_payload IS NULL",
            (payload, user_id),
        )
        return changed > 0

    async def set_lesson(self, user_id: int, lesson: int) -> None:
        await self.db.stage("UPDATE users SET lesson = ? WHERE id = ?", (lesson, user_id))

    async def open_lesson(self, user_id: int, lesson: int) -> None:
        """Progress and its funnel event, staged together (bot/db/database.py)."""
        async with self.db.atomic():
            await self.db.stage("UPDATE users SET lesson = ? WHERE id = ?", (lesson, user_id))
            await stage_event(self.db, user_id, f"lesson_{lesson}")

    async def mark_lessons_done(self, user_id: int) -> bool:
        """True the first time only (for 'lessons finished' events and thanks)."""
        changed = await self.db.write(
            "UPDATE users SET lessons_done_at = ? WHERE id = ? AND lessons_done_at IS NULL",
            (time.time(), user_id),
        )
        return changed > 0

    def forget_cache(self, user_id: int) -> None:
        self._touched.pop(user_id, None)
