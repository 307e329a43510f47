"""Personal data of one owner: what is stored (for /privacy) and erasure (for /delete_me)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from bot.db.database import Database

# Where a Telegram user id can appear inside a stored update.
_INBOX_USER_PATHS = (
    "$.message.from.id",
    "$.message.chat.id",
    "$.message.contact.user_id",
    "$.edited_message.from.id",
    "$.callback_query.from.id",
    "$.inline_query.from.id",
    "$.my_chat_member.from.id",
)


@dataclass(frozen=True, slots=True)
class StoredData:
    has_profile: bool
    first_seen: float | None
    lesson: int
    has_lead: bool
    lead_fields: list[str]
    consents: int
    has_draft: bool


class PrivacyRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def stored(self, user_id: int) -> StoredData:
        user = await self.db.fetchone(
            "SELECT first_seen, lesson FROM users WHERE id = ?", (user_id,)
        )
        lead = await self.db.fetchone(
            "SELECT name, company, position, phone, call_time, answers FROM leads WHERE user_id = ?",
            (user_id,),
        )
        fields: list[str] = []
        if lead is not None:
            names = ("name", "company", "position", "phone", "call_time")
            fields = [name for name, value in zip(names, lead[:5], strict=True) if value]
            if lead[5] and json.loads(lead[5]):
                fields.append("answers")
        consents = await self.db.fetchval(
            "SELECT count(*) FROM consents WHERE user_id = ?", (user_id,)
        )
        draft = await self.db.fetchval(
            "SELECT count(*) FROM fsm WHERE user_id = ? AND data <> '{}'", (user_id,)
        )
        return StoredData(
            has_profile=user is not None,
            first_seen=user[0] if user else None,
            lesson=user[1] if user else 0,
            has_lead=lead is not None,
            lead_fields=fields,
            consents=int(consents or 0),
            has_draft=bool(draft),
        )

    async def erase(self, user_id: int) -> list[int]:
        """Delete everything personal about the user; return the ids of erased leads."""
        async with self.db.transaction() as conn:
            lead_ids = [
                row[0]
                for row in await conn.execute_fetchall(
                    "SELECT id FROM leads WHERE user_id = ?", (user_id,)
                )
            ]
            now = time.time()
            for lead_id in lead_ids:
                # The group card is replaced by a tombstone through the outbox.
                await conn.execute(
                    "INSERT INTO outbox (kind, dedup_key, lead_id, chat_id, payload, "
                    "next_attempt_at, created_at) VALUES ('lead_erased', ?, NULL, NULL, ?, ?, ?) "
                    "ON CONFLICT (dedup_key) DO NOTHING",
                    (f"lead_erased:{lead_id}", json.dumps({"lead_id": lead_id}), now, now),
                )
            await conn.execute("DELETE FROM leads WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM consents WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM fsm WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
            # Replies still owed to the person's chat (Telegram was down) go too.
            await conn.execute("DELETE FROM replies WHERE lane = ?", (user_id,))
            # Funnel counts stay true, but nothing links them to the person any more.
            await conn.execute("UPDATE events SET user_id = NULL WHERE user_id = ?", (user_id,))
            await conn.execute(
                "UPDATE funnel SET user_id = ? WHERE user_id = ?",
                (-secrets.randbelow(2**62) - 1, user_id),
            )
            await conn.execute(
                "DELETE FROM referral_thanks WHERE referrer_id = ? OR friend_id = ?",
                (user_id, user_id),
            )
            await conn.execute(
                "DELETE FROM outbox WHERE kind = 'referrer_thanks' AND status = 'pending' "
                "AND (chat_id = ? OR dedup_key LIKE 'thanks:%:' || ?)",
                (user_id, user_id),
            )
            await conn.execute(
                "UPDATE users SET referrer_id = NULL WHERE referrer_id = ?", (user_id,)
            )
            condition = " OR ".join(
                f"json_extract(payload, '{path}') = ?" for path in _INBOX_USER_PATHS
            )
            await conn.execute(
                # Finished updates keep no payload (''): only valid JSON is looked into.
                f"DELETE FROM inbox WHERE CASE WHEN json_valid(payload) THEN ({condition}) "
                "ELSE 0 END",
                (user_id,) * len(_INBOX_USER_PATHS),
            )
        return lead_ids
