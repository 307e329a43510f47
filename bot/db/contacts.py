"""Speed to lead: when each lead was first contacted, by whom and how.

A lead's first contact is the first message a consultant sent its owner through the bot, or
the status «Связались», whichever came first; only the first is kept. The row copies what
/stats groups by (the lead's submission time and source), so the figures stay true after
an owner erased their data: nothing in it identifies the owner.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.db.repository import Repository

VIA_MESSAGE = "message"
VIA_STATUS = "status"


@dataclass(frozen=True, slots=True)
class FirstContact:
    lead_id: int
    submitted_at: float
    contacted_at: float
    consultant_id: int | None
    consultant_name: str
    source: str | None
    via: str

    @property
    def seconds(self) -> float:
        return max(self.contacted_at - self.submitted_at, 0.0)


class ContactRepo(Repository):
    async def record(
        self, lead_id: int, at: float, consultant_id: int, consultant_name: str, via: str
    ) -> bool:
        """Record the lead's first contact unless it has one; True when this is it."""
        async with self.db.transaction() as conn:
            return await record_first_contact(
                conn, lead_id, at, consultant_id, consultant_name, via
            )

    async def get(self, lead_id: int) -> FirstContact | None:
        return await self.fetch_model(
            FirstContact,
            "SELECT lead_id, submitted_at, contacted_at, consultant_id, consultant_name, "
            "source, via FROM first_contacts WHERE lead_id = ?",
            (lead_id,),
        )

    async def since(self, start: float | None) -> list[FirstContact]:
        """First contacts of the leads submitted at or after `start` (all when None)."""
        where, params = ("WHERE submitted_at >= ?", (start,)) if start is not None else ("", ())
        return await self.fetch_models(
            FirstContact,
            "SELECT lead_id, submitted_at, contacted_at, consultant_id, consultant_name, "
            f"source, via FROM first_contacts {where} ORDER BY lead_id",
            params,
        )

    async def waiting(self, start: float | None) -> int:
        """Leads submitted at or after `start`, open and not contacted yet."""
        where = "AND l.created_at >= ?" if start is not None else ""
        params = (start,) if start is not None else ()
        return int(await self.db.fetchval(
            "SELECT count(*) FROM leads l WHERE l.status IN ('new', 'claimed') "
            f"AND NOT EXISTS (SELECT 1 FROM first_contacts f WHERE f.lead_id = l.id) {where}",
            params,
        ) or 0)


async def record_first_contact(
    conn: aiosqlite.Connection, lead_id: int, at: float, consultant_id: int | None,
    consultant_name: str, via: str,
) -> bool:
    """The same, inside the caller's transaction (a status move, a relayed message)."""
    cursor = await conn.execute(
        "INSERT INTO first_contacts (lead_id, submitted_at, contacted_at, consultant_id, "
        "consultant_name, source, via) SELECT id, created_at, ?, ?, ?, source, ? FROM leads "
        "WHERE id = ? ON CONFLICT (lead_id) DO NOTHING",
        (at, consultant_id, consultant_name, via, lead_id),
    )
    return cursor.rowcount == 1
