"""Where the bot's messages about each lead are in the consultants' group.

`lead_cards` holds the current card of a lead (the one whose buttons work); `lead_messages`
maps every bot message about a lead (card, update notice, reminder, refusal prompt) back
to it, so a consultant's reply to any of them can be attributed to the right lead.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from bot.db.database import Database


@dataclass(frozen=True, slots=True)
class CardRow:
    lead_id: int
    chat_id: int
    message_id: int
    thread_id: int | None


@dataclass(frozen=True, slots=True)
class LeadMessage:
    chat_id: int
    message_id: int
    lead_id: int
    kind: str  # card | update | reminder | lost_prompt
    user_id: int | None = None  # who was asked (lost_prompt)


class CardRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, lead_id: int) -> CardRow | None:
        row = await self.db.fetchone(
            "SELECT lead_id, chat_id, message_id, thread_id FROM lead_cards WHERE lead_id = ?",
            (lead_id,),
        )
        return None if row is None else CardRow(*row)

    async def is_current(self, lead_id: int, chat_id: int, message_id: int) -> bool:
        """Whether this message is the lead's current card (its buttons may act)."""
        found = await self.db.fetchval(
            "SELECT 1 FROM lead_cards WHERE lead_id = ? AND chat_id = ? AND message_id = ?",
            (lead_id, chat_id, message_id),
        )
        return found is not None

    async def message(self, chat_id: int, message_id: int) -> LeadMessage | None:
        row = await self.db.fetchone(
            "SELECT chat_id, message_id, lead_id, kind, user_id FROM lead_messages "
            "WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return None if row is None else LeadMessage(*row)

    async def remember(self, message: LeadMessage) -> None:
        async with self.db.transaction() as conn:
            await save_messages(conn, [message])

    async def forget_message(self, chat_id: int, message_id: int) -> None:
        await self.db.write(
            "DELETE FROM lead_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )


async def save_card(conn: aiosqlite.Connection, card: CardRow) -> None:
    """Make `card` the lead's current card (inside the caller's transaction)."""
    now = time.time()
    await conn.execute(
        "DELETE FROM lead_cards WHERE chat_id = ? AND message_id = ? AND lead_id <> ?",
        (card.chat_id, card.message_id, card.lead_id),
    )
    await conn.execute(
        "INSERT INTO lead_cards (lead_id, chat_id, message_id, thread_id, posted_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lead_id) DO UPDATE SET "
        "chat_id = excluded.chat_id, message_id = excluded.message_id, "
        "thread_id = excluded.thread_id, posted_at = excluded.posted_at, "
        "updated_at = excluded.updated_at",
        (card.lead_id, card.chat_id, card.message_id, card.thread_id, now, now),
    )
    await save_messages(conn, [LeadMessage(card.chat_id, card.message_id, card.lead_id, "card")])


async def save_messages(conn: aiosqlite.Connection, messages: Iterable[LeadMessage]) -> None:
    now = time.time()
    await conn.executemany(
        "INSERT INTO lead_messages (chat_id, message_id, lead_id, kind, user_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET "
        "lead_id = excluded.lead_id, kind = excluded.kind, user_id = excluded.user_id",
        [(m.chat_id, m.message_id, m.lead_id, m.kind, m.user_id, now) for m in messages],
    )


async def forget_lead(conn: aiosqlite.Connection, lead_id: int) -> None:
    """Drop every trace of where the lead's messages are (after its tombstone)."""
    await conn.execute("DELETE FROM lead_cards WHERE lead_id = ?", (lead_id,))
    await conn.execute("DELETE FROM lead_messages WHERE lead_id = ?", (lead_id,))
