"""Leads (diagnostic requests) and consents: one lead per owner, idempotent submission.

A submission carries the draft id of the questionnaire it came from: submitting the same
draft again (double tap, replayed update, restart) changes nothing; a new draft from the
same owner updates the open lead and marks it returning. The lead and its notification
(outbox) are written in one transaction.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.db.database import mark_unit
from bot.db.models import LeadRow, SubmitResult, from_row
from bot.db.repository import Repository
from bot.domain import CLOSED_STATUSES, LeadStatus, OutboxKind

# The mark a unit of work carries once it has added to the outbox (bot/runner.py wakes the
# outbox sender after such a unit commits).
OUTBOX_MARK = "outbox"

LEAD_COLUMNS = (
    "id, user_id, status, qualified, qualification, source, referrer_id, answers, name, "
    "company, position, phone, call_time, consent_id, draft_id, is_returning, submissions, "
    "assignee_id, assignee_name, created_at, updated_at"
)



def lead_from_row(row: Any) -> LeadRow:
    return from_row(
        LeadRow,
        row,
        qualified=bool(row["qualified"]),
        answers=json.loads(row["answers"]),
        is_returning=bool(row["is_returning"]),
    )


@dataclass(frozen=True, slots=True)
class LeadDraft:
    user_id: int
    draft_id: str
    qualified: bool
    qualification: str
    answers: dict[str, Any]
    source: str | None = None
    referrer_id: int | None = None
    name: str | None = None
    company: str | None = None
    position: str | None = None
    phone: str | None = None
    call_time: str | None = None
    consent_id: int | None = None

    def answered(self) -> tuple[object, ...]:
        """What a submission writes from the answers, new lead or returning owner alike:
        answers (JSON), name, company, position, phone, call_time, consent_id, draft_id."""
        answers = json.dumps(self.answers, ensure_ascii=False, separators=(",", ":"))
        return (
            answers, self.name, self.company, self.position, self.phone, self.call_time,
            self.consent_id, self.draft_id,
        )


@dataclass(frozen=True, slots=True)
class Notification:
    kind: str
    chat_id: int | None
    payload: dict[str, Any]


class LeadRepo(Repository):
    async def get(self, lead_id: int) -> LeadRow | None:
        row = await self.db.fetchone(f"SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?", (lead_id,))
        return None if row is None else lead_from_row(row)

    async def for_user(self, user_id: int) -> LeadRow | None:
        row = await self.db.fetchone(
            f"SELECT {LEAD_COLUMNS} FROM leads WHERE user_id = ?", (user_id,)
        )
        return None if row is None else lead_from_row(row)

    async def submit(self, draft: LeadDraft, notify: Notification | None) -> SubmitResult:
        """Store the request (idempotent per draft) and its notification, atomically."""
        now = time.time()
        status = LeadStatus.new if draft.qualified else LeadStatus.unqualified
        async with self.db.transaction() as conn:
            existing = await self._for_user(conn, draft.user_id)
            if existing is not None and existing.draft_id == draft.draft_id:
                return SubmitResult(existing, created=False, replayed=True)
            if existing is None:
                await conn.execute(
                    "INSERT INTO leads (user_id, status, qualified, qualification, source, "
                    "referrer_id, answers, name, company, position, phone, call_time, consent_id, "
                    "draft_id, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        draft.user_id,
                        status,
                        int(draft.qualified),
                        draft.qualification,
                        draft.source,
                        draft.referrer_id,
                        *draft.answered(),
                        now,
                        now,
                    ),
                )
            else:
                # A returning owner: refresh the answers; an open lead keeps its status and
                # assignee, a closed or unqualified one opens again as new.
                reopen = (
                    existing.status in CLOSED_STATUSES
                    or not existing.qualified
                )
                await conn.execute(
                    "UPDATE leads SET status = ?, qualified = ?, qualification = ?, answers = ?, "
                    "name = ?, company = ?, position = ?, phone = ?, call_time = ?, "
                    "consent_id = coalesce(?, consent_id), draft_id = ?, is_returning = 1, "
                    "submissions = submissions + 1, updated_at = ?, "
                    "assignee_id = CASE WHEN ? THEN NULL ELSE assignee_id END, "
                    "assignee_name = CASE WHEN ? THEN NULL ELSE assignee_name END "
                    "WHERE id = ?",
                    (
                        status if (reopen or not draft.qualified) else existing.status,
                        int(draft.qualified),
                        draft.qualification,
                        *draft.answered(),
                        now,
                        reopen,
                        reopen,
                        existing.id,
                    ),
                )
            lead = await self._for_user(conn, draft.user_id)
            assert lead is not None
            if notify is None and existing is not None:
                # The consultants already have a card of this lead: keep it true to the
                # answers even when the new request would not be announced by itself.
                has_card = await conn.execute_fetchall(
                    "SELECT 1 FROM lead_cards WHERE lead_id = ?", (lead.id,)
                )
                notify = Notification(OutboxKind.lead_card, None, {}) if has_card else None
            if notify is not None:
                await enqueue(conn, notify, lead.id, f"{notify.kind}:{lead.id}:{lead.submissions}")
        return SubmitResult(lead, created=existing is None, replayed=False)

    async def set_call_time(self, lead_id: int, call_time: str, now: float) -> bool:
        """The convenient call time an owner named after submitting («Другое время»)."""
        changed = await self.db.write(
            "UPDATE leads SET call_time = ?, updated_at = ? WHERE id = ?",
            (call_time, now, lead_id),
        )
        return changed == 1

    async def _for_user(self, conn: aiosqlite.Connection, user_id: int) -> LeadRow | None:
        rows = await conn.execute_fetchall(
            f"SELECT {LEAD_COLUMNS} FROM leads WHERE user_id = ?", (user_id,)
        )
        return lead_from_row(rows[0]) if rows else None


async def enqueue(
    conn: aiosqlite.Connection, note: Notification, lead_id: int | None, dedup_key: str
) -> None:
    """Add a notification to the outbox inside the caller's transaction (once per key)."""
    mark_unit(OUTBOX_MARK)
    now = time.time()
    await conn.execute(
        "INSERT INTO outbox (kind, dedup_key, lead_id, chat_id, payload, next_attempt_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING",
        (
            note.kind,
            dedup_key,
            lead_id,
            note.chat_id,
            json.dumps(note.payload, ensure_ascii=False),
            now,
            now,
        ),
    )


class ConsentRepo(Repository):
    async def record(self, user_id: int, decision: str, text_hash: str, scopes: list[str]) -> int:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO consents (user_id, decided_at, decision, text_hash, scopes) "
                "VALUES (?, ?, ?, ?, ?)",
                (user_id, time.time(), decision, text_hash, json.dumps(scopes)),
            )
            return int(cursor.lastrowid or 0)

    async def latest(self, user_id: int) -> tuple[int, str, str, float] | None:
        row = await self.db.fetchone(
            "SELECT id, decision, text_hash, decided_at FROM consents WHERE user_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return None if row is None else (row[0], row[1], row[2], row[3])
