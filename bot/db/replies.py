"""Replies waiting for Telegram: Bot API calls an update committed and the sender still owes.

A handler's calls are inserted in the transaction of its update (bot/runner.py) and deleted
once Telegram has taken them, in the same transaction that records what the message was
(`track`). Between the two they survive restarts; only a kill between Telegram's answer
and the delete repeats one call. Rows are ordered per lane (the chat) by id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.db.cards import record_shown
from bot.db.repository import Repository
from bot.db.trips import Statement


@dataclass(frozen=True, slots=True)
class EncodedCall:
    """A Bot API call as stored: the method's API name, its JSON fields, at most one file."""

    method: str
    payload: str
    file: bytes | None = None


@dataclass(frozen=True, slots=True)
class NewReply:
    call: EncodedCall
    track: dict[str, Any] | None = None  # {"kind": …, "data": {…}}
    otherwise: EncodedCall | None = None  # instead of an edit whose message is gone
    made: Any = None  # the call's object as built (see StoredReply.made)


@dataclass(frozen=True, slots=True)
class StoredReply:
    id: int
    lane: int
    call: EncodedCall
    track: dict[str, Any] | None
    attempts: int
    next_attempt_at: float
    otherwise: EncodedCall | None = None
    # The call as the handler built it (aiogram's method object), while this process has
    # it: sending it needs no decoding. Never stored; rows read back after a restart lack it.
    made: Any = field(default=None, compare=False, repr=False)


_COLUMNS = (
    "id, lane, method, payload, file, track, attempts, next_attempt_at, "
    "otherwise_method, otherwise_payload"
)


def _stored(row: Any) -> StoredReply:
    track = json.loads(row[5]) if row[5] else None
    otherwise = EncodedCall(row[8], row[9]) if row[8] else None
    return StoredReply(
        row[0], row[1], EncodedCall(row[2], row[3], row[4]), track, row[6], row[7], otherwise
    )


@dataclass(frozen=True, slots=True)
class StagedReplies:
    """One update's calls, inserted with its unit of work."""

    lane: int
    replies: tuple[NewReply, ...]
    statement: Statement | None
    at: float

    def stored(self) -> list[StoredReply]:
        """The calls with their row ids (once the insert has run: after the commit)."""
        if self.statement is None:
            return []
        if not self.statement.ran:
            raise RuntimeError("the replies' unit of work has not committed")
        # Row ids grow in the order of VALUES; RETURNING may list them in any order.
        ids = sorted(row[0] for row in self.statement.rows)
        return [
            StoredReply(
                row_id, self.lane, reply.call, reply.track, 0, self.at, reply.otherwise,
                reply.made,
            )
            for row_id, reply in zip(ids, self.replies, strict=True)
        ]


class ReplyRepo(Repository):
    async def add(self, lane: int, replies: Sequence[NewReply]) -> StagedReplies:
        """Store one update's calls: staged in its unit of work (bot/db/database.py), so
        their ids are known once the unit has committed (`StagedReplies.stored`)."""
        if not replies:
            return StagedReplies(lane, (), None, 0.0)
        now = time.time()
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(replies))
        params: list[Any] = []
        for reply in replies:
            track = json.dumps(reply.track, ensure_ascii=False) if reply.track else None
            otherwise = reply.otherwise
            params += [
                lane, reply.call.method, reply.call.payload, reply.call.file, track, now, now,
                otherwise.method if otherwise else None, otherwise.payload if otherwise else None,
            ]
        statement = await self.db.stage(
            "INSERT INTO replies (lane, method, payload, file, track, next_attempt_at, "
            f"created_at, otherwise_method, otherwise_payload) VALUES {values} RETURNING id",
            params,
            returning=True,
        )
        return StagedReplies(lane, tuple(replies), statement, now)

    async def instead(self, reply: StoredReply) -> StoredReply:
        """The edit's message is gone: the row becomes its `otherwise` call."""
        assert reply.otherwise is not None
        await self.db.write(
            "UPDATE replies SET method = ?, payload = ?, file = NULL, otherwise_method = NULL, "
            "otherwise_payload = NULL WHERE id = ?",
            (reply.otherwise.method, reply.otherwise.payload, reply.id),
        )
        return StoredReply(
            reply.id, reply.lane, reply.otherwise, reply.track, reply.attempts,
            reply.next_attempt_at,
        )

    async def pending(self) -> list[StoredReply]:
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM replies ORDER BY lane, id")
        return [_stored(row) for row in rows]

    async def delivered(
        self, reply: StoredReply, chat_id: int | None, message_id: int | None
    ) -> None:
        """Telegram took the call: forget it (and the harmless calls of its chat before it),
        and record what the message shows (`track`)."""
        if not reply.track or chat_id is None or message_id is None:
            await self.forget_through(reply.lane, reply.id)
            return
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM replies WHERE lane = ? AND id <= ?", (reply.lane, reply.id)
            )
            await record_shown(conn, chat_id, message_id, reply.track)

    async def forget_through(self, lane: int, reply_id: int) -> None:
        """Forget the chat's calls up to `reply_id` (delivered in order)."""
        await self.db.write("DELETE FROM replies WHERE lane = ? AND id <= ?", (lane, reply_id))

    async def retry_at(self, reply_id: int, at: float, error: str) -> None:
        await self.db.write(
            "UPDATE replies SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
            "WHERE id = ?",
            (at, error[:500], reply_id),
        )

    async def drop(self, reply_id: int) -> None:
        """Give a call up (Telegram refused it for good)."""
        await self.db.write("DELETE FROM replies WHERE id = ?", (reply_id,))

    async def drop_lane(self, lane: int) -> int:
        """Forget every call still owed to one chat (its person erased their data)."""
        return await self.db.write("DELETE FROM replies WHERE lane = ?", (lane,))

