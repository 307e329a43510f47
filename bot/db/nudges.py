"""Follow-ups as rows: what is due when, for whom, and what became of it (bot/nudges).

A reminder is a row of `nudges` with its due time, written in the transaction of the step
that schedules it (inside an update's unit of work every call here joins it). At most one
is pending per owner and kind: scheduling again moves it (same row, updated in place), a
step that makes it obsolete deletes it. The sender (bot/nudges/sender.py) reads the due
ones, and marks each sent in the transaction after Telegram took it; a sent row keeps the
marks /stats reads: did the owner come back within a day, and did they submit afterwards.

Times are the clock's (`now()`), so that tests move time instead of waiting.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.db.database import Database
from bot.db.repository import Repository
from bot.domain import BOOKING_KINDS, STAFF_KINDS

PENDING, SENT, DROPPED, FAILED = "pending", "sent", "dropped", "failed"
# The owner's /stop or block deletes what is pending for them, not the consultants' reminders.
_OWNERS_OWN = "kind NOT IN ({})".format(", ".join(f"'{kind}'" for kind in STAFF_KINDS))
_COLUMNS = "id, user_id, kind, seq, due_at, payload, status, attempts, created_at, sent_at"
# The reminders that try to bring an owner back into the funnel; a booked diagnostic's are
# about a meeting already arranged (or go to the consultants), so an owner's next step after
# one of them is not counted as brought back (`came_back`, `counts`).
_BRINGS_BACK = "kind NOT IN ({})".format(", ".join(f"'{kind}'" for kind in BOOKING_KINDS))


@dataclass(frozen=True, slots=True)
class NudgeRow:
    id: int
    user_id: int
    kind: str
    seq: int  # the first, second … reminder of a series
    due_at: float
    payload: dict[str, Any]
    status: str
    attempts: int
    created_at: float
    sent_at: float | None


@dataclass(frozen=True, slots=True)
class Owner:
    """What decides whether an owner may get a reminder, and whether it is still true."""

    user_id: int
    stopped: bool  # /stop or «Не напоминать», until /start
    blocked: bool  # blocked the bot
    lesson: int
    lessons_done: bool
    has_lead: bool  # a request is stored (qualified or not)


@dataclass(frozen=True, slots=True)
class Resumed:
    """What had turned an owner's reminders off before /start turned them on again."""

    stopped: bool  # /stop or «Не напоминать»
    blocked: bool  # they had blocked the bot

    @property
    def were_off(self) -> bool:
        return self.stopped or self.blocked


@dataclass(frozen=True, slots=True)
class NudgeCounts:
    """/stats: reminders sent per kind, and the owners who came back within a day of one
    (and of those, who went on to submit a request)."""

    sent: dict[str, int]
    returned: int
    returned_submitted: int


def _row(row: Any) -> NudgeRow:
    payload = json.loads(row[5]) if row[5] else {}
    return NudgeRow(
        row[0], row[1], row[2], row[3], row[4], payload if isinstance(payload, dict) else {},
        row[6], row[7], row[8], row[9],
    )


class NudgeRepo(Repository):
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        super().__init__(db)
        self.clock = clock or Clock()
        # Owner -> when their latest reminder went, for those a reminder may yet be marked as
        # having brought back: `came_back` runs on every step of every owner, and for almost
        # all of them nothing is to be marked — known here without a trip to the database.
        # Loaded on first use; an entry stays until it is older than the window (a rolled-back
        # step leaves its reminder unmarked, so it is not dropped when marked).
        self._awaiting_return: dict[int, float] | None = None

    def now(self) -> float:
        return self.clock.now()

    # -- scheduling and cancelling (inside the step's unit of work) --------------------------

    async def schedule(
        self,
        user_id: int,
        kind: str,
        due_at: float,
        payload: dict[str, Any] | None = None,
        *,
        seq: int = 1,
        unless_pending: Sequence[str] = (),
        unless_lead: bool = False,
        to_owner: bool = True,
    ) -> None:
        """Pending reminder `kind` for the owner at `due_at` (one already pending is moved
        and restarts its series at `seq`). Not scheduled for an owner who stopped reminders
        or blocked the bot (unless it goes to the consultants, `to_owner=False`), while a
        reminder of a kind in `unless_pending` is pending, or (`unless_lead`) once the owner
        has a stored request. Staged: it runs with the unit of work's next round trip, and
        its conditions are judged then."""
        conditions = ["1"]
        if to_owner:
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM users WHERE id = :user "
                "AND (nudges_off_at IS NOT NULL OR blocked_at IS NOT NULL))"
            )
        params: dict[str, Any] = {
            "user": user_id, "kind": str(kind), "seq": seq, "due": due_at,
            "payload": json.dumps(payload or {}, ensure_ascii=False, sort_keys=True),
            "now": self.now(),
        }
        if unless_pending:
            marks = ", ".join(f":other{i}" for i in range(len(unless_pending)))
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM nudges WHERE user_id = :user AND status = 'pending' "
                f"AND kind IN ({marks}))"
            )
            params.update({f"other{i}": str(k) for i, k in enumerate(unless_pending)})
        if unless_lead:
            conditions.append("NOT EXISTS (SELECT 1 FROM leads WHERE user_id = :user)")
        await self.db.stage(
            "INSERT INTO nudges (user_id, kind, seq, due_at, payload, created_at) "
            "SELECT :user, :kind, :seq, :due, :payload, :now "
            f"WHERE {' AND '.join(conditions)} "
            "ON CONFLICT (user_id, kind) WHERE status = 'pending' DO UPDATE SET "
            "seq = excluded.seq, due_at = excluded.due_at, payload = excluded.payload, "
            "attempts = 0, created_at = excluded.created_at",
            params,
        )

    async def cancel(self, user_id: int, kinds: Iterable[str] | None = None) -> None:
        """Forget the owner's pending reminders (of `kinds`; None: all); staged."""
        if kinds is None:
            await self.db.stage(
                "DELETE FROM nudges WHERE user_id = ? AND status = 'pending'", (user_id,)
            )
            return
        wanted = [str(kind) for kind in kinds]
        if not wanted:
            return
        marks = ", ".join("?" for _ in wanted)
        await self.db.stage(
            f"DELETE FROM nudges WHERE user_id = ? AND status = 'pending' AND kind IN ({marks})",
            (user_id, *wanted),
        )

    async def cancel_booking(self, user_id: int, booking_id: int) -> int:
        """Delete the pending reminders of booking `booking_id` (bot/booking/reminders.py)."""
        marks = ", ".join("?" for _ in BOOKING_KINDS)
        return await self.db.write(
            "DELETE FROM nudges WHERE user_id = ? AND status = 'pending' "
            f"AND kind IN ({marks}) AND json_extract(payload, '$.booking') = ?",
            (user_id, *map(str, BOOKING_KINDS), booking_id),
        )

    async def came_back(self, user_id: int, within: float) -> None:
        """The owner took a step: reminders sent to them in the last `within` seconds that
        had not yet brought them back are marked as having done so (staged)."""
        now = self.now()
        if self._awaiting_return is None:
            rows = await self.db.fetchall(
                "SELECT user_id, max(sent_at) FROM nudges WHERE status = 'sent' "
                f"AND returned_at IS NULL AND {_BRINGS_BACK} GROUP BY user_id"
            )
            self._awaiting_return = {int(row[0]): float(row[1]) for row in rows}
        if len(self._awaiting_return) > 10_000:  # owners who never came back: forget them
            self._awaiting_return = {
                user: at for user, at in self._awaiting_return.items() if at >= now - within
            }
        sent_at = self._awaiting_return.get(user_id)
        if sent_at is None:
            return
        if sent_at < now - within:
            del self._awaiting_return[user_id]
            return
        await self.db.stage(
            "UPDATE nudges SET returned_at = ? WHERE user_id = ? AND status = 'sent' "
            f"AND returned_at IS NULL AND sent_at >= ? AND {_BRINGS_BACK}",
            (now, user_id, now - within),
        )

    async def submitted(self, user_id: int) -> int:
        """The owner submitted a request: reminders that brought them back are marked."""
        return await self.db.write(
            "UPDATE nudges SET submitted_at = ? WHERE user_id = ? AND status = 'sent' "
            "AND returned_at IS NOT NULL AND submitted_at IS NULL",
            (self.now(), user_id),
        )

    # -- the owner's own switches ---------------------------------------------------------

    async def stop(self, user_id: int) -> None:
        """No reminders for the owner until `resume` (their pending ones are deleted; the
        consultants' reminder of their booked diagnostic stays)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET nudges_off_at = coalesce(nudges_off_at, ?) WHERE id = ?",
                (self.now(), user_id),
            )
            await conn.execute(
                f"DELETE FROM nudges WHERE user_id = ? AND status = 'pending' AND {_OWNERS_OWN}",
                (user_id,),
            )

    async def resume(self, user_id: int) -> Resumed:
        """Reminders on again (/start): after /stop, and after a block the owner lifted.
        Says what had turned them off."""
        row = await self.db.fetchone(
            "SELECT nudges_off_at IS NOT NULL, blocked_at IS NOT NULL FROM users WHERE id = ?",
            (user_id,),
        )
        if row is None or not (row[0] or row[1]):
            return Resumed(stopped=False, blocked=False)
        await self.db.write(
            "UPDATE users SET nudges_off_at = NULL, blocked_at = NULL WHERE id = ?", (user_id,)
        )
        return Resumed(stopped=bool(row[0]), blocked=bool(row[1]))

    async def blocked(self, user_id: int) -> int:
        """The owner blocked the bot: marked, and everything pending for them deleted (but
        the consultants' reminder of their booked diagnostic)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET blocked_at = coalesce(blocked_at, ?) WHERE id = ?",
                (self.now(), user_id),
            )
            cursor = await conn.execute(
                f"DELETE FROM nudges WHERE user_id = ? AND status = 'pending' AND {_OWNERS_OWN}",
                (user_id,),
            )
            return cursor.rowcount

    async def unblocked(self, user_id: int) -> None:
        await self.db.write("UPDATE users SET blocked_at = NULL WHERE id = ?", (user_id,))

    async def with_owner(self, nudge_id: int) -> tuple[NudgeRow, Owner | None] | None:
        """The reminder as it is now, and its owner (None: no such person any more)."""
        columns = ", ".join(f"n.{name.strip()}" for name in _COLUMNS.split(","))
        row = await self.db.fetchone(
            f"SELECT {columns}, u.id, u.nudges_off_at, u.blocked_at, u.lesson, "
            "u.lessons_done_at, EXISTS (SELECT 1 FROM leads WHERE user_id = n.user_id) "
            "FROM nudges n LEFT JOIN users u ON u.id = n.user_id WHERE n.id = ?",
            (nudge_id,),
        )
        if row is None:
            return None
        nudge = _row(row)
        if row[10] is None:
            return nudge, None
        return nudge, Owner(
            nudge.user_id, row[11] is not None, row[12] is not None, int(row[13]),
            row[14] is not None, bool(row[15]),
        )

    async def owner(self, user_id: int) -> Owner | None:
        row = await self.db.fetchone(
            "SELECT nudges_off_at, blocked_at, lesson, lessons_done_at, "
            "EXISTS (SELECT 1 FROM leads WHERE user_id = users.id) FROM users WHERE id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return Owner(
            user_id, row[0] is not None, row[1] is not None, int(row[2]), row[3] is not None,
            bool(row[4]),
        )

    # -- the sender's side ----------------------------------------------------------------

    async def due(
        self, now: float, *, after: tuple[float, int] | None = None, limit: int = 100
    ) -> list[NudgeRow]:
        """Pending reminders due at `now`, oldest first (after `after`: (due_at, id)).

        Keyset pages in two index searches: the rest of `after`'s due time by id, then the
        later due times (a row-value comparison would scan every row of a due time shared
        by a burst — 100,000 reminders due at once — for each page)."""
        if after is None:
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM nudges WHERE status = 'pending' AND due_at <= ? "
                "ORDER BY due_at, id LIMIT ?",
                (now, limit),
            )
            return [_row(row) for row in rows]
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM nudges WHERE status = 'pending' AND due_at = ? AND id > ? "
            "ORDER BY due_at, id LIMIT ?",
            (after[0], after[1], limit),
        )
        if len(rows) < limit:
            rows += await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM nudges WHERE status = 'pending' AND due_at > ? "
                "AND due_at <= ? ORDER BY due_at, id LIMIT ?",
                (after[0], now, limit - len(rows)),
            )
        return [_row(row) for row in rows]

    async def next_due(self) -> float | None:
        value = await self.db.fetchval(
            "SELECT min(due_at) FROM nudges WHERE status = 'pending'"
        )
        return None if value is None else float(value)

    async def drop_stale(self, late_before: float) -> int:
        """Reminders due before `late_before` are not sent any more (after downtime)."""
        return await self.db.write(
            "UPDATE nudges SET status = 'dropped', reason = 'stale' "
            "WHERE status = 'pending' AND due_at < ?",
            (late_before,),
        )

    async def postpone(self, kinds: Sequence[str], due_by: float, until: float) -> int:
        """Pending reminders of `kinds` due by `due_by` wait until `until` (quiet hours)."""
        if not kinds:
            return 0
        marks = ", ".join("?" for _ in kinds)
        return await self.db.write(
            f"UPDATE nudges SET due_at = ? WHERE status = 'pending' AND due_at <= ? "
            f"AND kind IN ({marks})",
            (until, due_by, *[str(k) for k in kinds]),
        )

    async def drop(self, nudge_id: int, reason: str) -> bool:
        """Not sent, for good (obsolete, unknown kind …); False if no longer pending."""
        changed = await self.db.write(
            "UPDATE nudges SET status = 'dropped', reason = ? WHERE id = ? AND status = 'pending'",
            (reason[:200], nudge_id),
        )
        return changed > 0

    async def fail(self, nudge_id: int, reason: str) -> bool:
        changed = await self.db.write(
            "UPDATE nudges SET status = 'failed', reason = ? WHERE id = ? AND status = 'pending'",
            (reason[:200], nudge_id),
        )
        return changed > 0

    async def retry_at(self, nudge_id: int, at: float, reason: str) -> None:
        await self.db.write(
            "UPDATE nudges SET due_at = ?, attempts = attempts + 1, reason = ? "
            "WHERE id = ? AND status = 'pending'",
            (at, reason[:200], nudge_id),
        )

    async def mark_sent(self, nudge: NudgeRow, next_due_at: float | None = None) -> bool:
        """Telegram took it: sent — and, in the same statement (the `nudge_sent` trigger),
        its funnel event logged and, at `next_due_at`, the next of its series scheduled.
        One statement, so outside a unit of work it is group-committed with other writes.
        False when it was no longer pending (nothing recorded)."""
        changed = await self.db.write(
            "UPDATE nudges SET status = 'sent', sent_at = ?, next_due_at = ?, reason = NULL "
            "WHERE id = ? AND status = 'pending'",
            (self.now(), next_due_at, nudge.id),
        )
        if changed and self._awaiting_return is not None and nudge.kind not in BOOKING_KINDS:
            self._awaiting_return[nudge.user_id] = self.now()
        return changed > 0

    # -- reading ---------------------------------------------------------------------------

    async def pending(self, user_id: int) -> list[NudgeRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM nudges WHERE user_id = ? AND status = 'pending' "
            "ORDER BY due_at, id",
            (user_id,),
        )
        return [_row(row) for row in rows]

    async def history(self, user_id: int) -> list[NudgeRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM nudges WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [_row(row) for row in rows]

    async def counts(self, since: float | None = None) -> NudgeCounts:
        since = since or 0.0
        sent = {
            str(kind): int(count)
            for kind, count in await self.db.fetchall(
                "SELECT kind, count(*) FROM nudges WHERE status = 'sent' AND sent_at >= ? "
                "GROUP BY kind",
                (since,),
            )
        }
        row = await self.db.fetchone(
            "SELECT count(DISTINCT user_id), count(DISTINCT CASE WHEN submitted_at IS NOT NULL "
            "THEN user_id END) FROM nudges WHERE status = 'sent' AND sent_at >= ? "
            f"AND returned_at IS NOT NULL AND {_BRINGS_BACK}",
            (since,),
        )
        return NudgeCounts(sent, int(row[0] or 0) if row else 0, int(row[1] or 0) if row else 0)


async def erase_owner(conn: Any, user_id: int) -> None:
    """Erasure (inside its transaction): pending reminders go; sent ones stay for /stats
    under a number that points to nobody, without their payload."""
    await conn.execute(
        "DELETE FROM nudges WHERE user_id = ? AND status <> 'sent'", (user_id,)
    )
    await conn.execute(
        "UPDATE nudges SET user_id = ?, payload = '{}' WHERE user_id = ?",
        (-secrets.randbelow(2**62) - 1, user_id),
    )
