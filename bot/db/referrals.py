"""Sharing and attribution: personal referral codes, first and latest touch, thanks once per friend."""

from __future__ import annotations

import sqlite3
import time

from bot.db.leads import Notification, enqueue
from bot.db.repository import Repository
from bot.domain import DIRECT_SOURCE, OutboxKind, Touch, new_ref_code


class ReferralRepo(Repository):
    async def ref_code(self, user_id: int) -> str:
        """The owner's personal code, created on first use (unique, opaque)."""
        code = await self.db.fetchval("SELECT ref_code FROM users WHERE id = ?", (user_id,))
        while code is None:
            candidate = new_ref_code()
            try:
                await self.db.write(
                    "UPDATE users SET ref_code = ? WHERE id = ? AND ref_code IS NULL",
                    (candidate, user_id),
                )
            except sqlite3.IntegrityError:
                continue  # the code is taken: draw again
            code = await self.db.fetchval("SELECT ref_code FROM users WHERE id = ?", (user_id,))
            if code is None:  # no such user row
                raise LookupError(f"user {user_id} is unknown")
        return str(code)

    async def owner_of(self, code: str) -> int | None:
        return await self.db.fetchval("SELECT id FROM users WHERE ref_code = ?", (code,))

    async def record_touch(self, user_id: int, touch: Touch, referrer_id: int | None) -> None:
        """The first touch is kept forever (direct when the first /start had no payload);
        the latest touch is overwritten by every payload that says something."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET source = ?, campaign = ?, referrer_id = ? "
                "WHERE id = ? AND source IS NULL",
                (touch.source or DIRECT_SOURCE, touch.campaign, referrer_id, user_id),
            )
            if touch.source is not None:
                await conn.execute(
                    "UPDATE users SET last_source = ?, last_campaign = ?, last_touch_at = ? "
                    "WHERE id = ?",
                    (touch.source, touch.campaign, time.time(), user_id),
                )

    async def attribution(self, user_id: int) -> tuple[str | None, int | None]:
        """(first-touch source, referrer id) of an owner."""
        row = await self.db.fetchone(
            "SELECT source, referrer_id FROM users WHERE id = ?", (user_id,)
        )
        return (None, None) if row is None else (row[0], row[1])

    async def thank_once(self, friend_id: int, reason: str) -> bool:
        """Queue a thank-you to the friend's referrer, once per friend; True if queued."""
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall(
                "SELECT f.referrer_id, f.first_name FROM users f WHERE f.id = ?", (friend_id,)
            )
            if not rows or rows[0][0] is None:
                return False
            referrer_id, friend_name = rows[0]
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO referral_thanks (referrer_id, friend_id, at) VALUES (?, ?, ?)",
                (referrer_id, friend_id, time.time()),
            )
            if cursor.rowcount == 0:
                return False
            await enqueue(
                conn,
                Notification(
                    OutboxKind.referrer_thanks,
                    referrer_id,
                    {"friend_name": friend_name, "reason": reason},
                ),
                None,
                f"thanks:{referrer_id}:{friend_id}",
            )
            return True

    async def invited_count(self, user_id: int) -> int:
        return int(
            await self.db.fetchval("SELECT count(*) FROM users WHERE referrer_id = ?", (user_id,))
            or 0
        )
