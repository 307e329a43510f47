"""The notification outbox as the sender sees it: lanes, completion, retries, group outages.

Rows are delivered in id order per lane: the consultants' group (rows with `chat_id` NULL,
resolved to the bound group at send time) or one private chat (admin alerts). A row is
marked sent in the same transaction that records where its message went, so a restart
never forgets a card and never posts one twice unless the process died between Telegram's
answer and that commit (at-least-once: Telegram has no idempotency key; at most one row per
kill, since the sender posts one at a time). An outage of the group (bot removed, chat
gone, nothing bound) is one `kv` fact, started and ended together with the admins' alerts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.db.cards import CardRow, LeadMessage, forget_lead, save_card, save_messages
from bot.db.kv import kv_get, kv_set
from bot.db.leads import Notification, enqueue
from bot.db.models import from_row
from bot.db.relay import RelayedRow, forget_relay, save_relayed
from bot.db.repository import Repository
from bot.domain import OutboxKind

OUTAGE_KEY = "group.outage_since"
ADMIN_ALERT = OutboxKind.admin_alert


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    kind: str
    dedup_key: str
    lead_id: int | None
    chat_id: int | None  # None: the consultants' group
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: float

    @property
    def to_group(self) -> bool:
        return self.chat_id is None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A row to enqueue in the transaction that settles another (once per dedup key)."""

    note: Notification
    lead_id: int | None
    dedup_key: str


_COLUMNS = "id, kind, dedup_key, lead_id, chat_id, payload, attempts, next_attempt_at"


def _row(row: Any) -> OutboxRow:
    try:
        payload = json.loads(row["payload"] or "{}")
    except ValueError:
        payload = {}
    return from_row(OutboxRow, row, payload=payload if isinstance(payload, dict) else {})


class OutboxRepo(Repository):
    async def add(self, note: Notification, lead_id: int | None, dedup_key: str) -> None:
        """Enqueue a notification in its own transaction (once per dedup key)."""
        async with self.db.transaction() as conn:
            await enqueue(conn, note, lead_id, dedup_key)

    async def heads(self) -> list[OutboxRow]:
        """The oldest pending row of every lane: only these may be delivered now."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE id IN (SELECT min(id) FROM outbox "
            "WHERE status = 'pending' GROUP BY chat_id) ORDER BY id"
        )
        return [_row(row) for row in rows]

    async def get(self, row_id: int) -> OutboxRow | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (row_id,))
        return None if row is None else _row(row)

    async def pending(self) -> list[OutboxRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' ORDER BY id"
        )
        return [_row(row) for row in rows]

    async def complete(
        self,
        row_id: int,
        now: float,
        *,
        card: CardRow | None = None,
        messages: Iterable[LeadMessage] = (),
        forget: int | None = None,
        relayed: Iterable[RelayedRow] = (),
        follow: Iterable[FollowUp] = (),
        keep_payload: bool = True,
    ) -> None:
        """Mark a row sent and record, in the same transaction, where its messages went
        (`relayed`: which message became which), and enqueue what follows from it.
        `keep_payload=False` blanks the row's payload (a relayed text is kept no longer
        than it takes to deliver it)."""
        async with self.db.transaction() as conn:
            if forget is not None:
                await forget_lead(conn, forget)
                await forget_relay(conn, forget)
            if card is not None:
                await save_card(conn, card)
            await save_messages(conn, messages)
            await save_relayed(conn, list(relayed))
            await _follow(conn, follow)
            await conn.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
                "last_error = NULL" + ("" if keep_payload else ", payload = '{}'")
                + " WHERE id = ? AND status = 'pending'",
                (now, row_id),
            )

    async def retry_at(self, row_id: int, at: float, error: str) -> None:
        await self.db.write(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
            "WHERE id = ? AND status = 'pending'",
            (at, error[:500], row_id),
        )

    async def fail(
        self, row_id: int, error: str, follow: Iterable[FollowUp] = (), *,
        keep_payload: bool = True,
    ) -> None:
        """Give up on a row that can never be delivered (it stops blocking its lane), and
        enqueue what follows from that (e.g. telling the lead's thread) in one transaction."""
        async with self.db.transaction() as conn:
            await _follow(conn, follow)
            await conn.execute(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?"
                + ("" if keep_payload else ", payload = '{}'")
                + " WHERE id = ? AND status = 'pending'",
                (error[:500], row_id),
            )

    async def is_pending(self, dedup_key: str) -> bool:
        """Whether the row of this key waits to be delivered."""
        found = await self.db.fetchval(
            "SELECT 1 FROM outbox WHERE dedup_key = ? AND status = 'pending'", (dedup_key,)
        )
        return found is not None

    async def hurry_group(self, now: float) -> int:
        """Make every pending group row due now (the group is back, or newly bound)."""
        return await self.db.write(
            "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND chat_id IS NULL "
            "AND next_attempt_at > ?",
            (now, now),
        )

    async def group_sent_since(self, since: float) -> list[float]:
        """When group rows were sent after `since` (to seed the rate limiter after a restart)."""
        rows = await self.db.fetchall(
            "SELECT sent_at FROM outbox WHERE status = 'sent' AND chat_id IS NULL AND sent_at >= ? "
            "ORDER BY sent_at",
            (since,),
        )
        return [float(row[0]) for row in rows]

    # -- outages of the consultants' group ---------------------------------------------

    async def outage_since(self) -> float | None:
        value = await self.db.fetchval("SELECT value FROM kv WHERE key = ?", (OUTAGE_KEY,))
        return float(value) if value else None

    async def begin_outage(self, now: float, admin_ids: Iterable[int], reason: str) -> bool:
        """Start an outage unless one is on; alert each admin once. True when it started."""
        async with self.db.transaction() as conn:
            if await kv_get(conn, OUTAGE_KEY):
                return False
            await kv_set(conn, OUTAGE_KEY, repr(now))
            for admin_id in sorted(admin_ids):
                await enqueue(
                    conn,
                    Notification(ADMIN_ALERT, admin_id, {"alert": "group_down", "reason": reason}),
                    None,
                    f"{ADMIN_ALERT}:group_down:{now!r}:{admin_id}",
                )
        return True

    async def end_outage(self, admin_ids: Iterable[int]) -> bool:
        """End the outage if one is on; tell each admin the group is back. True when ended."""
        async with self.db.transaction() as conn:
            since = await kv_get(conn, OUTAGE_KEY)
            if not since:
                return False
            await conn.execute("DELETE FROM kv WHERE key = ?", (OUTAGE_KEY,))
            for admin_id in sorted(admin_ids):
                await enqueue(
                    conn,
                    Notification(ADMIN_ALERT, admin_id, {"alert": "group_back"}),
                    None,
                    f"{ADMIN_ALERT}:group_back:{since}:{admin_id}",
                )
        return True

    async def alert_admins(
        self, admin_ids: Iterable[int], alert: str, key: str, **payload: Any
    ) -> None:
        """One alert per admin, deduplicated by `key`."""
        async with self.db.transaction() as conn:
            for admin_id in sorted(admin_ids):
                await enqueue(
                    conn,
                    Notification(ADMIN_ALERT, admin_id, {"alert": alert, **payload}),
                    None,
                    f"{ADMIN_ALERT}:{alert}:{key}:{admin_id}",
                )


async def _follow(conn: Any, follow: Iterable[FollowUp]) -> None:
    for item in follow:
        await enqueue(conn, item.note, item.lead_id, item.dedup_key)
