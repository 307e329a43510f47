"""Funnel events: every step an owner takes, and each owner's first arrival at each step.

`events` is the full log; `funnel` keeps one row per owner and step (the first time), with
the owner's first-touch source and first-seen time (the cohort), so the funnel for a period
is one indexed range count however many events there are.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import aiosqlite

from bot.db.database import Database
from bot.db.models import from_row
from bot.db.repository import Repository
from bot.domain import DIRECT_SOURCE, FUNNEL_LINE, FunnelStep

FUNNEL_STEPS: tuple[str, ...] = FUNNEL_LINE
EVENT_KINDS = frozenset(FunnelStep)
DIRECT = DIRECT_SOURCE
_LESSON = re.compile(r"lesson_[1-9][0-9]?")


@dataclass(frozen=True, slots=True)
class Referrer:
    user_id: int
    name: str
    invited: int
    qualified: int


def _event_statements(
    user_id: int, kind: str, lead_id: int | None, detail: str | None, now: float | None
) -> tuple[tuple[str, tuple[object, ...]], tuple[str, tuple[object, ...]]]:
    """The event's row, and the owner's first arrival at the step (kept if it is one)."""
    if kind not in EVENT_KINDS and not _LESSON.fullmatch(kind):
        raise ValueError(f"unknown funnel event {kind!r}")
    now = time.time() if now is None else now
    return (
        (
            "INSERT INTO events (user_id, at, kind, lead_id, detail) VALUES (?, ?, ?, ?, ?)",
            (user_id, now, kind, lead_id, detail),
        ),
        (
            "INSERT OR IGNORE INTO funnel (user_id, step, at, source, cohort_at) "
            "SELECT ?, ?, ?, coalesce(u.source, ?), coalesce(u.first_seen, ?) "
            "FROM (SELECT 1) LEFT JOIN users u ON u.id = ?",
            (user_id, kind, now, DIRECT, now, user_id),
        ),
    )


async def record_event(
    conn: aiosqlite.Connection,
    user_id: int,
    kind: str,
    *,
    lead_id: int | None = None,
    detail: str | None = None,
    now: float | None = None,
) -> bool:
    """Log a funnel event inside the caller's transaction (see FunnelRepo.record); True when
    it is the owner's first arrival at this step."""
    event, arrival = _event_statements(user_id, kind, lead_id, detail, now)
    await conn.execute(*event)
    cursor = await conn.execute(*arrival)
    return cursor.rowcount > 0


async def stage_event(
    db: Database, user_id: int, kind: str, *, lead_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Log a funnel event with the unit of work's next round trip (bot/db/database.py)."""
    async with db.atomic():
        for sql, params in _event_statements(user_id, kind, lead_id, detail, None):
            await db.stage(sql, params)


class FunnelRepo(Repository):
    async def record(
        self, user_id: int, kind: str, *, lead_id: int | None = None, detail: str | None = None
    ) -> None:
        """Log the event (staged in a unit of work: it runs with the unit's next round trip)."""
        await stage_event(self.db, user_id, kind, lead_id=lead_id, detail=detail)

    async def counts(self, since: float | None = None) -> dict[str, dict[str, int]]:
        """{step: {source: owners}} for owners whose first visit is at or after `since`."""
        rows = await self.db.fetchall(
            "SELECT step, source, count(*) FROM funnel WHERE cohort_at >= ? GROUP BY step, source",
            (since or 0.0,),
        )
        result: dict[str, dict[str, int]] = {}
        for step, source, count in rows:
            result.setdefault(step, {})[source] = count
        return result

    async def top_referrers(self, since: float | None = None, limit: int = 5) -> list[Referrer]:
        rows = await self.db.fetchall(
            "SELECT f.referrer_id AS user_id, coalesce(r.first_name, '') AS name, "
            "count(*) AS invited, sum(EXISTS (SELECT 1 FROM funnel q WHERE q.user_id = f.id "
            "AND q.step = 'qualified')) AS qualified "
            "FROM users f LEFT JOIN users r ON r.id = f.referrer_id "
            "WHERE f.referrer_id IS NOT NULL AND f.first_seen >= ? "
            "GROUP BY f.referrer_id ORDER BY count(*) DESC, f.referrer_id LIMIT ?",
            (since or 0.0, limit),
        )
        return [from_row(Referrer, row, qualified=row["qualified"] or 0) for row in rows]
