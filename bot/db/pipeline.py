"""Consultants' work on leads: status moves with their history, notes, lists and reminders.

A move reads the lead, asks the caller's pure `decide` function whether and how it may
change, and writes the new status with its history row, all inside one write transaction
(the single writer serializes concurrent presses, and the UPDATE still guards on the old
status). No SQL about lead handling lives outside this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiosqlite

from bot.db.contacts import VIA_STATUS, record_first_contact
from bot.db.funnel import record_event
from bot.db.leads import LEAD_COLUMNS, Notification, enqueue, lead_from_row
from bot.db.models import LeadRow
from bot.db.repository import Repository
from bot.domain import FunnelStep, LeadStatus, OutboxKind

MAX_ID = 2**62
"""Ids above this are never valid (and would overflow SQLite's INTEGER)."""


@dataclass(frozen=True, slots=True)
class Move:
    """What a permitted action does: the new status, the assignee and a reason."""

    to_status: str
    assignee: tuple[int, str] | None = None  # (user id, display name) to set
    clear_assignee: bool = False
    reason: str | None = None
    event: str | None = None  # a booking event the history records (BookingEvent)
    slot_at: float | None = None  # the booked slot's start, for booked and moved


@dataclass(frozen=True, slots=True)
class MoveResult:
    before: LeadRow | None  # None: no such lead
    after: LeadRow | None  # None: nothing changed
    refusal: str | None  # why nothing changed (the decide function's code, or "missing")

    @property
    def ok(self) -> bool:
        return self.refusal is None


Decide = Callable[[LeadRow], "Move | str"]
"""Returns the move to make, or a refusal code; called inside the write transaction."""


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: float
    actor_id: int | None
    actor_name: str
    from_status: str
    to_status: str
    reason: str | None
    event: str | None = None
    slot_at: float | None = None


@dataclass(frozen=True, slots=True)
class NoteRow:
    at: float
    author_id: int
    author_name: str
    text: str


async def _read(conn: aiosqlite.Connection, lead_id: int) -> LeadRow | None:
    rows = await conn.execute_fetchall(f"SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?", (lead_id,))
    return lead_from_row(rows[0]) if rows else None


def valid_id(lead_id: int) -> bool:
    return 1 <= lead_id <= MAX_ID


# Status changes that are funnel steps of the lead's owner (see bot/db/funnel.py).
PIPELINE_EVENTS = frozenset({
    FunnelStep.claimed, FunnelStep.contacted, FunnelStep.scheduled, FunnelStep.done,
    FunnelStep.lost,
})


class PipelineRepo(Repository):
    async def move(
        self, lead_id: int, actor_id: int, actor_name: str, decide: Decide,
        now: float | None = None,
    ) -> MoveResult:
        """Apply `decide` to the lead atomically; record the change in its history."""
        if not valid_id(lead_id):
            return MoveResult(None, None, "missing")
        now = time.time() if now is None else now
        async with self.db.transaction() as conn:
            before = await _read(conn, lead_id)
            if before is None:
                return MoveResult(None, None, "missing")
            decision = decide(before)
            if isinstance(decision, str):
                return MoveResult(before, None, decision)
            if decision.assignee is not None:
                assignee_id, assignee_name = decision.assignee
            elif decision.clear_assignee:
                assignee_id, assignee_name = None, None
            else:
                assignee_id, assignee_name = before.assignee_id, before.assignee_name
            lost_reason = decision.reason if decision.to_status == LeadStatus.lost else None
            cursor = await conn.execute(
                "UPDATE leads SET status = ?, assignee_id = ?, assignee_name = ?, "
                "lost_reason = ?, updated_at = ? WHERE id = ? AND status = ?",
                (
                    decision.to_status, assignee_id, assignee_name, lost_reason, now,
                    lead_id, before.status,
                ),
            )
            if cursor.rowcount != 1:  # cannot happen under the writer lock; stay safe anyway
                return MoveResult(before, None, "changed")
            await conn.execute(
                "INSERT INTO lead_history (lead_id, at, actor_id, actor_name, from_status, "
                "to_status, reason, event, slot_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (lead_id, now, actor_id, actor_name, before.status, decision.to_status,
                 decision.reason, decision.event, decision.slot_at),
            )
            if decision.to_status == LeadStatus.contacted:
                await record_first_contact(
                    conn, lead_id, now, actor_id, actor_name, VIA_STATUS
                )
            if decision.to_status in PIPELINE_EVENTS and decision.to_status != before.status:
                await record_event(
                    conn, before.user_id, decision.to_status, lead_id=lead_id, now=now
                )
            after = await _read(conn, lead_id)
        return MoveResult(before, after, None)

    async def history(self, lead_id: int) -> list[HistoryRow]:
        return await self.fetch_models(
            HistoryRow,
            "SELECT at, actor_id, actor_name, from_status, to_status, reason, event, slot_at "
            "FROM lead_history WHERE lead_id = ? ORDER BY id",
            (lead_id,),
        )

    async def lost_reason(self, lead_id: int) -> str | None:
        if not valid_id(lead_id):
            return None
        return await self.db.fetchval("SELECT lost_reason FROM leads WHERE id = ?", (lead_id,))

    async def add_note(
        self, lead_id: int, author_id: int, author_name: str, text: str,
        chat_id: int | None = None, message_id: int | None = None,
    ) -> bool:
        """Store a note; False when the lead is gone or this message was stored before."""
        async with self.db.transaction() as conn:
            if await _read(conn, lead_id) is None:
                return False
            cursor = await conn.execute(
                "INSERT INTO lead_notes (lead_id, at, author_id, author_name, text, chat_id, "
                "message_id) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id, message_id) DO NOTHING",
                (lead_id, time.time(), author_id, author_name, text, chat_id, message_id),
            )
            return cursor.rowcount == 1

    async def note_lead(self, chat_id: int, message_id: int) -> int | None:
        """The lead a message in the group was kept as a note on (None: not a note)."""
        found = await self.db.fetchval(
            "SELECT lead_id FROM lead_notes WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return None if found is None else int(found)

    async def notes(self, lead_id: int) -> list[NoteRow]:
        return await self.fetch_models(
            NoteRow,
            "SELECT at, author_id, author_name, text FROM lead_notes WHERE lead_id = ? ORDER BY id",
            (lead_id,),
        )

    async def page(
        self, statuses: Sequence[str], offset: int, limit: int
    ) -> tuple[list[LeadRow], int]:
        """Leads in `statuses` (newest first): one page and the total count."""
        marks = ", ".join("?" for _ in statuses)
        total = await self.db.fetchval(
            f"SELECT count(*) FROM leads WHERE status IN ({marks})", tuple(statuses)
        )
        rows = await self.db.fetchall(
            f"SELECT {LEAD_COLUMNS} FROM leads WHERE status IN ({marks}) "
            "ORDER BY id DESC LIMIT ? OFFSET ?",
            (*statuses, limit, offset),
        )
        return [lead_from_row(row) for row in rows], int(total or 0)

    async def created_since(self, since: float | None) -> list[tuple[LeadRow, str | None]]:
        """Every lead created at or after `since` (all when None), oldest first,
        with its refusal reason."""
        where, params = ("WHERE created_at >= ?", (since,)) if since is not None else ("", ())
        rows = await self.db.fetchall(
            f"SELECT {LEAD_COLUMNS}, lost_reason FROM leads {where} ORDER BY id", params
        )
        return [(lead_from_row(row), row["lost_reason"]) for row in rows]

    async def enqueue_sla_reminders(self, cutoff: float, now: float) -> list[int]:
        """Leads new since before `cutoff` and not reminded since: enqueue one reminder each
        and mark them reminded, in one transaction. Returns their ids."""
        async with self.db.transaction() as conn:
            rows = await _new_and_not_marked(conn, cutoff, "sla_reminded_at")
            for lead_id, since in rows:
                await enqueue(
                    conn, Notification(OutboxKind.sla_reminder, None, {}), lead_id,
                    f"sla_reminder:{lead_id}:{since:.3f}",
                )
                await _mark(conn, "sla_reminded_at", lead_id, now)
        return [row[0] for row in rows]

    async def enqueue_sla_escalations(
        self, cutoff: float, now: float, admin_ids: Sequence[int], minutes: int
    ) -> list[int]:
        """Leads still new since before `cutoff` whose admins were not told since: one
        private alert to each admin per lead, and the lead marked escalated, in one
        transaction. Returns their ids."""
        async with self.db.transaction() as conn:
            rows = await _new_and_not_marked(conn, cutoff, "sla_escalated_at")
            for lead_id, since in rows:
                for admin_id in sorted(admin_ids):
                    await enqueue(
                        conn,
                        Notification(
                            OutboxKind.admin_alert, admin_id,
                            {"alert": "sla_late", "lead_id": lead_id, "minutes": minutes},
                        ),
                        lead_id,
                        f"sla_late:{lead_id}:{since:.3f}:{admin_id}",
                    )
                await _mark(conn, "sla_escalated_at", lead_id, now)
        return [row[0] for row in rows]


# The SLA marks of a lead: when its consultants were reminded, when its admins were told.
_SLA_MARKS = ("sla_reminded_at", "sla_escalated_at")


async def _new_and_not_marked(
    conn: aiosqlite.Connection, cutoff: float, mark: str
) -> list[tuple[int, float]]:
    """(id, updated_at) of the leads new since `cutoff` or before whose `mark` (one of
    `_SLA_MARKS`) was not set since they last changed, by id."""
    assert mark in _SLA_MARKS
    rows = await conn.execute_fetchall(
        "SELECT id, updated_at FROM leads WHERE status = 'new' AND updated_at <= ? "
        f"AND ({mark} IS NULL OR {mark} < updated_at) ORDER BY id",
        (cutoff,),
    )
    return [(row[0], row[1]) for row in rows]


async def _mark(conn: aiosqlite.Connection, mark: str, lead_id: int, now: float) -> None:
    assert mark in _SLA_MARKS
    await conn.execute(f"UPDATE leads SET {mark} = ? WHERE id = ?", (now, lead_id))
