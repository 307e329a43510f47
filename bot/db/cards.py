"""Where the bot's messages about each lead are, in the consultants' group and elsewhere.

`lead_cards` holds the current card of a lead (the one whose buttons work); `lead_messages`
maps every bot message about a lead back to it: in the group the card, update notices,
reminders and refusal prompts (a consultant's reply to any of them is attributed to the
right lead), and, wherever they were sent, the /lead answers ('view') and /leads pages
('page', one row per lead the page lists) that show the lead's personal data — so erasing
the lead can replace each of them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.db.leads import Notification, enqueue
from bot.db.repository import Repository
from bot.domain import OutboxKind


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
    kind: str  # card | update | reminder | lost_prompt | view | page
    user_id: int | None = None  # who was asked (lost_prompt)
    detail: str | None = None  # a page's filter, number and page count (JSON)


REPLY_KINDS = ("card", "update", "reminder", "lost_prompt")
"""Messages a consultant's reply is attributed to (each is about exactly one lead)."""
SHOWS_DATA = ("card", "view", "page")
"""Messages that show a lead's personal data: erasure replaces them."""
_COLUMNS = "chat_id, message_id, lead_id, kind, user_id, detail"


class CardRepo(Repository):
    async def get(self, lead_id: int) -> CardRow | None:
        return await self.fetch_model(
            CardRow,
            "SELECT lead_id, chat_id, message_id, thread_id FROM lead_cards WHERE lead_id = ?",
            (lead_id,),
        )

    async def is_current(self, lead_id: int, chat_id: int, message_id: int) -> bool:
        """Whether this message is the lead's current card (its buttons may act)."""
        found = await self.db.fetchval(
            "SELECT 1 FROM lead_cards WHERE lead_id = ? AND chat_id = ? AND message_id = ?",
            (lead_id, chat_id, message_id),
        )
        return found is not None

    async def message(self, chat_id: int, message_id: int) -> LeadMessage | None:
        """The lead a reply to this bot message is about (None: not about one lead)."""
        return await self.fetch_model(
            LeadMessage,
            f"SELECT {_COLUMNS} FROM lead_messages WHERE chat_id = ? AND message_id = ? "
            f"AND kind IN {REPLY_KINDS}",
            (chat_id, message_id),
        )

    async def save(self, card: CardRow) -> None:
        """Make `card` the lead's current card now (its own transaction)."""
        async with self.db.transaction() as conn:
            await save_card(conn, card)

    async def remember(self, message: LeadMessage) -> None:
        async with self.db.transaction() as conn:
            await save_messages(conn, [message])

    async def forget_message(self, chat_id: int, message_id: int) -> None:
        await self.db.write(
            "DELETE FROM lead_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )

    async def track_view(self, lead_id: int, chat_id: int, message_ids: list[int]) -> bool:
        """Record the messages of a /lead answer; False when the lead is gone meanwhile
        (erased while the answer was on its way: nothing recorded, the caller replaces them)."""
        async with self.db.transaction() as conn:
            if not await _exists(conn, lead_id):
                return False
            await save_messages(
                conn, [LeadMessage(chat_id, message_id, lead_id, "view") for message_id in message_ids]
            )
        return True

    async def track_page(
        self, chat_id: int, message_id: int, lead_ids: list[int], detail: str
    ) -> list[int]:
        """Record which leads a /leads page (sent or just edited) lists, replacing what it
        listed before; returns the listed ids whose lead is gone meanwhile (not recorded)."""
        now = time.time()
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM lead_messages WHERE chat_id = ? AND message_id = ?",
                (chat_id, message_id),
            )
            gone = []
            for lead_id in lead_ids:
                if not await _exists(conn, lead_id):
                    gone.append(lead_id)
                    continue
                await conn.execute(
                    "INSERT INTO lead_messages (chat_id, message_id, lead_id, kind, created_at, "
                    "detail) VALUES (?, ?, ?, 'page', ?, ?)",
                    (chat_id, message_id, lead_id, now, detail),
                )
        return gone

    async def showing(self, lead_id: int) -> list[LeadMessage]:
        """Every recorded message that shows this lead's personal data, oldest first."""
        return await self.fetch_models(
            LeadMessage,
            f"SELECT {_COLUMNS} FROM lead_messages WHERE lead_id = ? AND kind IN {SHOWS_DATA} "
            "ORDER BY created_at, chat_id, message_id",
            (lead_id,),
        )

    async def listed_on(self, chat_id: int, message_id: int) -> list[int]:
        """The leads a /leads page lists (newest first, as the page shows them)."""
        rows = await self.db.fetchall(
            "SELECT lead_id FROM lead_messages WHERE chat_id = ? AND message_id = ? "
            "AND kind = 'page' ORDER BY lead_id DESC",
            (chat_id, message_id),
        )
        return [row[0] for row in rows]

    async def forget_shown(self, message: LeadMessage) -> None:
        """This message no longer shows the lead (replaced, or out of reach for good)."""
        await self.db.write(
            "DELETE FROM lead_messages WHERE chat_id = ? AND message_id = ? AND lead_id = ?",
            (message.chat_id, message.message_id, message.lead_id),
        )


async def _exists(conn: aiosqlite.Connection, lead_id: int) -> bool:
    rows = await conn.execute_fetchall("SELECT 1 FROM leads WHERE id = ?", (lead_id,))
    return bool(rows)


# The tables that say which lead a Telegram id in a chat is about, and the id's column there.
_PLACES = {"lead_cards": "message_id", "lead_messages": "message_id", "lead_topics": "thread_id"}


async def release_place(
    conn: aiosqlite.Connection, table: str, chat_id: int, place_id: int, lead_id: int
) -> None:
    """A message or topic id Telegram reuses (e.g. in a chat that was deleted and made again)
    now is about `lead_id`: the rows of `table` that tie it to another lead go."""
    column = _PLACES[table]
    await conn.execute(
        f"DELETE FROM {table} WHERE chat_id = ? AND {column} = ? AND lead_id <> ?",
        (chat_id, place_id, lead_id),
    )


async def save_card(conn: aiosqlite.Connection, card: CardRow) -> None:
    """Make `card` the lead's current card (inside the caller's transaction)."""
    now = time.time()
    await release_place(conn, "lead_cards", card.chat_id, card.message_id, card.lead_id)
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
    """Record messages that are each about one lead (a message id Telegram reuses stops
    meaning whatever it meant before)."""
    now = time.time()
    for m in messages:
        await release_place(conn, "lead_messages", m.chat_id, m.message_id, m.lead_id)
        await conn.execute(
            "INSERT INTO lead_messages (chat_id, message_id, lead_id, kind, user_id, created_at, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (chat_id, message_id, lead_id) DO UPDATE SET "
            "kind = excluded.kind, user_id = excluded.user_id, detail = excluded.detail",
            (m.chat_id, m.message_id, m.lead_id, m.kind, m.user_id, now, m.detail),
        )


async def forget_lead(conn: aiosqlite.Connection, lead_id: int) -> None:
    """Drop every trace of where the lead's messages are (after its tombstone)."""
    await conn.execute("DELETE FROM lead_cards WHERE lead_id = ?", (lead_id,))
    await conn.execute("DELETE FROM lead_messages WHERE lead_id = ?", (lead_id,))


async def record_shown(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, track: dict[str, Any]
) -> None:
    """Record, once Telegram took it, which lead(s) a message shows (`track` as the reply
    carried it: `lead_message` or `lead_page`). A lead erased while the message was on its
    way is recorded all the same, and its erasure is asked for once more, for this message:
    the outbox replaces it as it replaced the others."""
    data = track.get("data") or {}
    if track.get("kind") == "lead_page":
        lead_ids = [int(lead_id) for lead_id in data.get("lead_ids") or []]
        detail = data.get("detail")
        await conn.execute(
            "DELETE FROM lead_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )
        now = time.time()
        for lead_id in lead_ids:
            await conn.execute(
                "INSERT INTO lead_messages (chat_id, message_id, lead_id, kind, created_at, "
                "detail) VALUES (?, ?, ?, 'page', ?, ?)",
                (chat_id, message_id, lead_id, now, detail),
            )
    elif track.get("kind") == "lead_message":
        lead_ids = [int(data["lead_id"])]
        await save_messages(
            conn,
            [LeadMessage(chat_id, message_id, lead_ids[0], str(data["role"]), data.get("user_id"))],
        )
    else:
        return
    for lead_id in lead_ids:
        if not await _exists(conn, lead_id):
            # The erasure's own pass may already be over (and forget what is recorded now):
            # this one names the message it is for.
            shown = {"chat_id": chat_id, "message_id": message_id,
                     "kind": "page" if track.get("kind") == "lead_page" else "view",
                     "detail": data.get("detail")}
            await enqueue(
                conn,
                Notification(OutboxKind.lead_erased, None, {"lead_id": lead_id, "shown": shown}),
                None,
                f"lead_erased:{lead_id}:{chat_id}:{message_id}",
            )
