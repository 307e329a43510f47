"""The relay between an owner and the consultants: each lead's forum topic, and which message
became which on the other side.

A relayed message has an original (the owner's message in their chat, or a consultant's
message in the group) and a copy the bot posted on the other side, maybe under a separate
signature (header) message. Only ids are kept, never texts: enough to relay an edit as an
edit, to keep a reply's context, and to replace the copies in the group when the owner
erases their data. The owner's chat is the lead's owner's, so no user id is stored here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.db.cards import release_place
from bot.db.models import from_row
from bot.db.repository import Repository


class Direction(StrEnum):
    to_group = "in"  # the owner wrote; the copy is in the group
    to_owner = "out"  # a consultant wrote; the copy is in the owner's chat


class Form(StrEnum):
    """How the copy carries the original's text and the signature."""

    text = "text"  # one text message: signature and text
    caption = "caption"  # one media message: signature and caption
    plain_text = "plain_text"  # the signature apart; the copy is the text as it was
    plain_caption = "plain_caption"  # the signature apart; the copy keeps its own caption
    fixed = "fixed"  # the signature apart; the copy has no text (sticker, video note, …)


@dataclass(frozen=True, slots=True)
class TopicRow:
    lead_id: int
    chat_id: int
    thread_id: int
    closed: bool = False


@dataclass(frozen=True, slots=True)
class RelayedRow:
    """One relayed message. `owner_message_id` is in the owner's chat (the original when
    the owner wrote, the copy when a consultant did); `chat_id`/`message_id` are in the
    group (the copy, or the consultant's original); `header_id` is the separate signature,
    on the copy's side."""

    lead_id: int
    direction: str
    owner_message_id: int
    chat_id: int
    message_id: int
    form: str
    header_id: int | None = None


_COLUMNS = "lead_id, direction, owner_message_id, chat_id, message_id, form, header_id"


class RelayRepo(Repository):
    # -- topics ---------------------------------------------------------------------------

    async def topic(self, lead_id: int) -> TopicRow | None:
        row = await self.db.fetchone(
            "SELECT lead_id, chat_id, thread_id, closed FROM lead_topics WHERE lead_id = ?",
            (lead_id,),
        )
        return None if row is None else from_row(TopicRow, row, closed=bool(row["closed"]))

    async def lead_of_topic(self, chat_id: int, thread_id: int) -> int | None:
        """The lead whose topic this is (None: not a lead's topic)."""
        found = await self.db.fetchval(
            "SELECT lead_id FROM lead_topics WHERE chat_id = ? AND thread_id = ?",
            (chat_id, thread_id),
        )
        return None if found is None else int(found)

    async def save_topic(self, topic: TopicRow) -> None:
        """The lead's topic from now on (a recreated topic replaces the one that was gone)."""
        async with self.db.transaction() as conn:
            await release_place(
                conn, "lead_topics", topic.chat_id, topic.thread_id, topic.lead_id
            )
            await conn.execute(
                "INSERT INTO lead_topics (lead_id, chat_id, thread_id, closed, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (lead_id) DO UPDATE SET "
                "chat_id = excluded.chat_id, thread_id = excluded.thread_id, "
                "closed = excluded.closed, created_at = excluded.created_at",
                (topic.lead_id, topic.chat_id, topic.thread_id, int(topic.closed), time.time()),
            )

    async def mark_closed(self, chat_id: int, thread_id: int, closed: bool) -> int | None:
        """Someone closed or reopened a topic; returns its lead (None: not a lead's topic)."""
        lead_id = await self.lead_of_topic(chat_id, thread_id)
        if lead_id is not None:
            await self.db.write(
                "UPDATE lead_topics SET closed = ? WHERE chat_id = ? AND thread_id = ?",
                (int(closed), chat_id, thread_id),
            )
        return lead_id

    async def drop_topic(self, lead_id: int, thread_id: int) -> None:
        """That topic is gone (deleted by someone): the next message opens a new one."""
        await self.db.write(
            "DELETE FROM lead_topics WHERE lead_id = ? AND thread_id = ?", (lead_id, thread_id)
        )

    # -- relayed messages -----------------------------------------------------------------

    async def from_owner(self, lead_id: int, owner_message_id: int) -> RelayedRow | None:
        """The copy in the group of the owner's message."""
        return await self._one(
            "lead_id = ? AND direction = 'in' AND owner_message_id = ?", (lead_id, owner_message_id)
        )

    async def to_owner(self, chat_id: int, message_id: int) -> RelayedRow | None:
        """The copy in the owner's chat of a consultant's message."""
        return await self._one(
            "chat_id = ? AND message_id = ? AND direction = 'out'", (chat_id, message_id)
        )

    async def by_group_copy(self, chat_id: int, message_id: int) -> RelayedRow | None:
        """The owner's message whose copy (or signature) in the group this is."""
        return await self._one(
            "direction = 'in' AND chat_id = ? AND (message_id = ? OR header_id = ?)",
            (chat_id, message_id, message_id),
        )

    async def by_owner_copy(self, lead_id: int, owner_message_id: int) -> RelayedRow | None:
        """The consultant's message whose copy (or signature) in the owner's chat this is."""
        return await self._one(
            "lead_id = ? AND direction = 'out' AND (owner_message_id = ? OR header_id = ?)",
            (lead_id, owner_message_id, owner_message_id),
        )

    async def copies_in_group(self, lead_id: int) -> list[RelayedRow]:
        """The bot's copies of the owner's messages in the group, oldest first."""
        return await self.fetch_models(
            RelayedRow,
            f"SELECT {_COLUMNS} FROM relay_messages WHERE lead_id = ? AND direction = 'in' "
            "ORDER BY id",
            (lead_id,),
        )

    async def count(self, lead_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT count(*) FROM relay_messages WHERE lead_id = ?", (lead_id,)
            ) or 0
        )

    async def forget_copy(self, row: RelayedRow) -> None:
        await self.db.write(
            "DELETE FROM relay_messages WHERE lead_id = ? AND direction = ? "
            "AND owner_message_id = ?",
            (row.lead_id, row.direction, row.owner_message_id),
        )

    async def _one(self, where: str, params: tuple[object, ...]) -> RelayedRow | None:
        return await self.fetch_model(
            RelayedRow,
            f"SELECT {_COLUMNS} FROM relay_messages WHERE {where} ORDER BY id DESC LIMIT 1",
            params,
        )


async def save_relayed(conn: aiosqlite.Connection, rows: list[RelayedRow]) -> None:
    """Record relayed messages inside the caller's transaction (the outbox row's)."""
    now = time.time()
    for row in rows:
        await conn.execute(
            "INSERT INTO relay_messages (lead_id, direction, owner_message_id, chat_id, "
            "message_id, header_id, form, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (lead_id, direction, owner_message_id) DO UPDATE SET "
            "chat_id = excluded.chat_id, message_id = excluded.message_id, "
            "header_id = excluded.header_id, form = excluded.form",
            (row.lead_id, row.direction, row.owner_message_id, row.chat_id, row.message_id,
             row.header_id, row.form, now),
        )


async def forget_relay(conn: aiosqlite.Connection, lead_id: int) -> None:
    """Drop every trace of the lead's relayed messages (after erasure). Its topic stays on
    record — a number in a chat, nothing of the owner — so that a /send there is answered
    «this lead is gone» rather than «this is no lead's topic»."""
    await conn.execute("DELETE FROM relay_messages WHERE lead_id = ?", (lead_id,))
