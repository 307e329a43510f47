"""Consultants on duty and round-robin assignment (ASSIGNMENT=round_robin).

`/duty on|off` puts a consultant on or off duty. Each new lead goes to the consultant on
duty who was assigned a lead longest ago (never first, then by who came on duty first):
round robin that skips those off duty and survives restarts. An assigned lead stays «new»
until its consultant takes it; the assignee (or an admin) may pass it to the next one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiosqlite

from bot.db.repository import Repository
from bot.domain import LeadStatus


@dataclass(frozen=True, slots=True)
class OnDuty:
    user_id: int
    name: str
    since: float | None


@dataclass(frozen=True, slots=True)
class Assigned:
    user_id: int
    name: str
    previous_id: int | None  # the assignee before (a pass)


class DutyRepo(Repository):
    async def set(self, user_id: int, name: str, on: bool, now: float | None = None) -> bool:
        """Put a consultant on or off duty; True when that changed something."""
        now = time.time() if now is None else now
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall(
                "SELECT on_duty FROM duty WHERE user_id = ?", (user_id,)
            )
            was = bool(rows and rows[0][0])
            await conn.execute(
                "INSERT INTO duty (user_id, name, on_duty, since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, "
                "on_duty = excluded.on_duty, since = CASE WHEN duty.on_duty = excluded.on_duty "
                "THEN duty.since ELSE excluded.since END",
                (user_id, name, int(on), now),
            )
        return was != on

    async def is_on(self, user_id: int) -> bool:
        found = await self.db.fetchval("SELECT on_duty FROM duty WHERE user_id = ?", (user_id,))
        return bool(found)

    async def on_duty(self) -> list[OnDuty]:
        """Who is on duty, in the order the next leads go to them."""
        return await self.fetch_models(
            OnDuty,
            "SELECT user_id, name, since FROM duty WHERE on_duty = 1 "
            "ORDER BY last_assigned_at IS NOT NULL, last_assigned_at, since, user_id"
        )

    async def off(self, user_id: int) -> None:
        """No longer a consultant (left the group): off duty."""
        await self.db.write("UPDATE duty SET on_duty = 0 WHERE user_id = ?", (user_id,))

    async def assign_next(
        self, lead_id: int, *, passing_from: int | None = None, now: float | None = None
    ) -> Assigned | None:
        """Give the lead to the next consultant on duty, in one transaction.

        A new lead: only while it is new and nobody's (a replayed card changes nothing).
        `passing_from`: the assignee hands a new or taken lead on to someone else; the lead is
        new again until they take it. None when nobody (else) is on duty."""
        now = time.time() if now is None else now
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall(
                "SELECT status, assignee_id, assignee_name FROM leads WHERE id = ?", (lead_id,)
            )
            if not rows:
                return None
            status, assignee, assignee_name = rows[0][0], rows[0][1], rows[0][2]
            if passing_from is None:
                if status != LeadStatus.new or assignee is not None:
                    return None
            elif status not in (LeadStatus.new, LeadStatus.claimed) or assignee != passing_from:
                return None
            chosen = await _next_on_duty(conn, exclude=passing_from)
            if chosen is None:
                return None
            user_id, name = chosen
            await conn.execute(
                "UPDATE leads SET status = ?, assignee_id = ?, assignee_name = ?, updated_at = ? "
                "WHERE id = ?",
                (LeadStatus.new, user_id, name, now, lead_id),
            )
            await conn.execute(
                "UPDATE duty SET last_assigned_at = ? WHERE user_id = ?", (now, user_id)
            )
            if passing_from is not None:
                await conn.execute(
                    "INSERT INTO lead_history (lead_id, at, actor_id, actor_name, from_status, "
                    "to_status, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (lead_id, now, passing_from, assignee_name or "", status, LeadStatus.new,
                     name),
                )
        return Assigned(user_id, name, passing_from)


async def _next_on_duty(
    conn: aiosqlite.Connection, exclude: int | None
) -> tuple[int, str] | None:
    rows = await conn.execute_fetchall(
        "SELECT user_id, name FROM duty WHERE on_duty = 1 AND user_id IS NOT ? "
        "ORDER BY last_assigned_at IS NOT NULL, last_assigned_at, since, user_id LIMIT 1",
        (exclude,),
    )
    return (int(rows[0][0]), str(rows[0][1])) if rows else None
