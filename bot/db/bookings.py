"""Bookings of diagnostic slots and the consultants' closed and opened times.

Taking a slot is one conditional INSERT, inside a transaction that holds the single writer:
the caller's `fits` check reads the overrides and the active bookings of that moment, and
the INSERT itself takes the lowest seat no active booking overlaps, only if the lead has no
active booking. The partial unique indexes (one active booking per slot start and seat, one
per lead) refuse anything that slipped past both. A reschedule releases the old slot and
takes the new one in the same transaction, or changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiosqlite

from bot.booking.slots import Override, Taken
from bot.db.models import from_row
from bot.db.repository import Repository
from bot.domain import BookingState

_COLUMNS = (
    "id, lead_id, starts_at, ends_at, seat, state, status_before, created_at, confirmed_at, "
    "closed_at, reason"
)


@dataclass(frozen=True, slots=True)
class BookingRow:
    id: int
    lead_id: int
    starts_at: float
    ends_at: float
    seat: int
    state: str
    status_before: str | None
    created_at: float
    confirmed_at: float | None
    closed_at: float | None
    reason: str | None

    @property
    def active(self) -> bool:
        return self.state == BookingState.active


@dataclass(frozen=True, slots=True)
class AgendaRow:
    """A booked diagnostic as the consultants' agenda lists it."""

    booking_id: int
    lead_id: int
    starts_at: float
    ends_at: float
    company: str | None
    name: str | None
    assignee_name: str | None
    confirmed_at: float | None


@dataclass(frozen=True, slots=True)
class OverrideRow:
    id: int
    starts_at: float
    ends_at: float
    kind: str
    actor_name: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One lead's booking outcome, for /stats: the state of its latest booking."""

    lead_id: int
    source: str | None
    state: str


Fits = Callable[[Sequence[Override], Sequence[Taken]], bool]
"""Whether the slot is free, given the overrides and active bookings around it (called
inside the write transaction, so what it sees is what the INSERT sees)."""

_TAKE = """
INSERT INTO bookings (lead_id, starts_at, ends_at, seat, state, status_before, created_at)
SELECT :lead, :start, :end, seats.n, 'active', :before, :now
FROM (
    WITH RECURSIVE numbers (n) AS (
        SELECT 0 UNION ALL SELECT n + 1 FROM numbers WHERE n + 1 < :parallel
    )
    SELECT n FROM numbers
) AS seats
WHERE NOT EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.state = 'active' AND b.seat = seats.n AND b.starts_at < :end AND b.ends_at > :start
) AND NOT EXISTS (SELECT 1 FROM bookings WHERE state = 'active' AND lead_id = :lead)
ORDER BY seats.n LIMIT 1
"""
"""Takes the lowest free seat of [start, end), or nothing. It begins with INSERT so that the
driver reports the rows it changed (sqlite3 gives no rowcount for a statement that begins
with WITH)."""


class _Refused(Exception):
    """The slot cannot be had: undo what the transaction did so far."""


def _booking(row: aiosqlite.Row) -> BookingRow:
    return from_row(BookingRow, row)


async def _overrides(conn: aiosqlite.Connection, start: float, end: float) -> list[Override]:
    rows = await conn.execute_fetchall(
        "SELECT id, starts_at, ends_at, kind FROM availability "
        "WHERE ends_at > ? AND starts_at < ? ORDER BY id",
        (start, end),
    )
    return [Override(row[0], int(row[1]), int(row[2]), row[3]) for row in rows]


async def _taken(conn: aiosqlite.Connection, start: float, end: float) -> list[Taken]:
    rows = await conn.execute_fetchall(
        "SELECT starts_at, ends_at FROM bookings WHERE state = 'active' "
        "AND ends_at > ? AND starts_at < ? ORDER BY starts_at",
        (start, end),
    )
    return [Taken(int(row[0]), int(row[1])) for row in rows]


class BookingRepo(Repository):
    # -- reads ------------------------------------------------------------------------------

    async def get(self, booking_id: int) -> BookingRow | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM bookings WHERE id = ?", (booking_id,)
        )
        return None if row is None else _booking(row)

    async def active_for_lead(self, lead_id: int) -> BookingRow | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM bookings WHERE lead_id = ? AND state = 'active'",
            (lead_id,),
        )
        return None if row is None else _booking(row)

    async def latest_for_lead(self, lead_id: int) -> BookingRow | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM bookings WHERE lead_id = ? ORDER BY id DESC LIMIT 1",
            (lead_id,),
        )
        return None if row is None else _booking(row)

    async def around(self, start: float, end: float) -> tuple[list[Override], list[Taken]]:
        """Overrides and active bookings that touch [start, end), as committed now (or as
        the current unit of work sees them)."""
        overrides = await self.db.fetchall(
            "SELECT id, starts_at, ends_at, kind FROM availability "
            "WHERE ends_at > ? AND starts_at < ? ORDER BY id",
            (start, end),
        )
        taken = await self.db.fetchall(
            "SELECT starts_at, ends_at FROM bookings WHERE state = 'active' "
            "AND ends_at > ? AND starts_at < ? ORDER BY starts_at",
            (start, end),
        )
        return (
            [Override(row[0], int(row[1]), int(row[2]), row[3]) for row in overrides],
            [Taken(int(row[0]), int(row[1])) for row in taken],
        )

    async def agenda(self, start: float, end: float) -> list[AgendaRow]:
        """Active bookings starting in [start, end), by time."""
        return await self.fetch_models(
            AgendaRow,
            "SELECT b.id AS booking_id, b.lead_id, b.starts_at, b.ends_at, l.company, l.name, "
            "l.assignee_name, b.confirmed_at FROM bookings b JOIN leads l ON l.id = b.lead_id "
            "WHERE b.state = 'active' AND b.starts_at >= ? AND b.starts_at < ? "
            "ORDER BY b.starts_at, b.seat",
            (start, end),
        )

    async def overrides_between(self, start: float, end: float) -> list[OverrideRow]:
        return await self.fetch_models(
            OverrideRow,
            "SELECT id, starts_at, ends_at, kind, actor_name FROM availability "
            "WHERE ends_at > ? AND starts_at < ? ORDER BY starts_at, id",
            (start, end),
        )

    async def outcomes(self, since: float | None) -> list[Outcome]:
        """Each lead that booked (its first booking made at or after `since`; every lead
        when None) with the state of its latest booking."""
        where, params = ("HAVING min(b.created_at) >= ?", (since,)) if since is not None else (
            "", ()
        )
        return await self.fetch_models(
            Outcome,
            "SELECT b.lead_id, l.source, "
            "(SELECT state FROM bookings x WHERE x.lead_id = b.lead_id ORDER BY x.id DESC LIMIT 1)"
            " AS state FROM bookings b JOIN leads l ON l.id = b.lead_id "
            f"GROUP BY b.lead_id {where} ORDER BY b.lead_id",
            params,
        )

    # -- writes -----------------------------------------------------------------------------

    async def take(
        self, lead_id: int, start: int, end: int, *, parallel: int, fits: Fits,
        status_before: str | None, now: float, releasing: int | None = None,
    ) -> BookingRow | None:
        """Book [start, end) for the lead if `fits` and a seat is free; None otherwise (and
        nothing changed). `releasing`: the lead's active booking this one replaces (marked
        moved in the same transaction; kept as it was when the new slot cannot be had)."""
        try:
            async with self.db.savepoint() as conn:
                if releasing is not None:
                    cursor = await conn.execute(
                        "UPDATE bookings SET state = 'moved', closed_at = ? "
                        "WHERE id = ? AND lead_id = ? AND state = 'active'",
                        (now, releasing, lead_id),
                    )
                    if cursor.rowcount != 1:
                        raise _Refused
                if not fits(await _overrides(conn, start, end), await _taken(conn, start, end)):
                    raise _Refused
                cursor = await conn.execute(
                    _TAKE,
                    {"parallel": parallel, "lead": lead_id, "start": start, "end": end,
                     "before": status_before, "now": now},
                )
                if cursor.rowcount != 1:
                    raise _Refused
                rows = await conn.execute_fetchall(
                    f"SELECT {_COLUMNS} FROM bookings WHERE id = ?", (cursor.lastrowid,)
                )
                return _booking(rows[0])
        except _Refused:  # undone: the released booking holds its slot again
            return None

    async def close(
        self, booking_id: int, state: BookingState, now: float, reason: str | None = None
    ) -> BookingRow | None:
        """End an active booking (cancelled, held, no-show); None when it was not active."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE bookings SET state = ?, closed_at = ?, reason = ? "
                "WHERE id = ? AND state = 'active'",
                (state, now, reason, booking_id),
            )
            if cursor.rowcount != 1:
                return None
            rows = await conn.execute_fetchall(
                f"SELECT {_COLUMNS} FROM bookings WHERE id = ?", (booking_id,)
            )
            return _booking(rows[0])

    async def confirm(self, booking_id: int, now: float) -> bool:
        """The owner confirmed they will come (the first time counts)."""
        changed = await self.db.write(
            "UPDATE bookings SET confirmed_at = coalesce(confirmed_at, ?) "
            "WHERE id = ? AND state = 'active'",
            (now, booking_id),
        )
        return changed == 1

    async def add_override(
        self, start: int, end: int, kind: str, actor_id: int, actor_name: str, now: float
    ) -> int:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO availability (starts_at, ends_at, kind, actor_id, actor_name, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (start, end, kind, actor_id, actor_name, now),
            )
            return int(cursor.lastrowid or 0)
